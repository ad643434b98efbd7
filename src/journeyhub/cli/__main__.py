"""``python -m journeyhub.cli``"""

from journeyhub.cli.main import app

app(prog_name="journeyhub")
