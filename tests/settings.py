"""The app's settings with every file the tests make under one temporary folder, never the real var/.

The folder is made once by the pytest process and named in EYECLASS_VAR_DIR, so the workers and servers
that tests start (which inherit the environment) use it too; it is removed when pytest exits.
"""

import atexit
import os
import shutil
import tempfile

if not os.environ.get("EYECLASS_VAR_DIR"):
    os.environ["EYECLASS_VAR_DIR"] = tempfile.mkdtemp(prefix="eyeclass-tests-")
    atexit.register(shutil.rmtree, os.environ["EYECLASS_VAR_DIR"], True)
for _name in ("MEDIA_ROOT", "STATIC_ROOT", "FILE_UPLOAD_TEMP_DIR", "CELERY_RESULT_BACKEND"):
    os.environ.pop(_name, None)  # derived from EYECLASS_VAR_DIR, so nothing lands outside it

from eyeclass.settings import *  # noqa: E402,F403

# Password hashing is slow on purpose; tests create and log in users by the hundred. PBKDF2 stays
# available for a test that logs in to a server running the real settings (tests/web/test_production.py).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
