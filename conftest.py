# Tests run with the development defaults (no secrets needed); production
# behaviour is tested by overriding settings or starting a subprocess.
import os

os.environ.setdefault("DEBUG", "1")
