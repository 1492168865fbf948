from .roles import is_school_admin


def role(request) -> dict:
    """`school_admin`: whether the navigation offers the school pages."""
    return {"school_admin": is_school_admin(request.user) if hasattr(request, "user") else False}
