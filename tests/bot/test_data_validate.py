"""`rasa data validate` is clean: no errors, and no warnings other than responses that only
custom actions send (Rasa cannot see those in stories and rules)."""
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_WARNING = "is not used in any story or rule"


def test_rasa_data_validate():
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "rasa"), "data", "validate", "--config", "config.yml",
         "--domain", "bot/domain.yml", "--data", "nlu/data", "bot/data"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    warnings = [line for line in (result.stdout + result.stderr).splitlines()
                if "UserWarning" in line and EXPECTED_WARNING not in line]
    assert warnings == []
