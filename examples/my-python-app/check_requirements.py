# Fails (exit 1) when a distribution named in requirements.txt is not
# installed: the offline stand-in for `pip install -r requirements.txt`.
# Debian's python3-* packages install the same metadata pip reads.
import sys
from importlib import metadata

missing = []
for line in open(sys.argv[1] if len(sys.argv) > 1 else "requirements.txt"):
    name = line.split("#", 1)[0].strip()
    if not name:
        continue
    try:
        print(f"{name} {metadata.version(name)}")
    except metadata.PackageNotFoundError:
        missing.append(name)
if missing:
    sys.exit(f"not installed: {', '.join(missing)} (the base image has no package index to fetch them from)")
