import os

# Read by TensorFlow when it loads (lazily, in the workers): its C++ INFO and WARNING start-up notes are
# noise in a terminal; errors still print. Set it to 0 in the environment to see them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from .celery import app as celery_app

__all__ = ("celery_app",)
