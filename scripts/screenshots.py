"""Take the README's screenshots of the web pages from the demo database.

    make demo && .venv/bin/python scripts/screenshots.py

Starts `compengine serve` on out/demo.db (the sample plans), signs in with tokens it
creates for the purpose and revokes afterwards, and drives the system's headless
Chromium (/usr/bin/chromium and /usr/bin/chromedriver) through the main pages, saving
PNGs into docs/. Writes nothing else.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parent.parent
COMPENGINE = str(Path(sys.executable).with_name("compengine"))
DB = f"sqlite:///{ROOT / 'out' / 'demo.db'}"
PLANS = ROOT / "compengine" / "sample" / "plans"
DOCS = ROOT / "docs"
PERIOD = "2027-07"
# (file name, role, path, widths)
PAGES = [
    ("web-rep-period", "rep", f"/me/periods/{PERIOD}", (1280, 360)),
    ("web-ops-dashboard", "ops", "/ops", (1280, 360)),
    ("web-ops-period", "ops", f"/ops/periods/{PERIOD}", (1280,)),
    ("web-ops-lock", "ops", "/ops/periods/2027-06/lock", (1280,)),
    ("web-payroll-period", "payroll", f"/payroll/periods/{PERIOD}", (1280,)),
]
TOKENS = {
    "ops": ["--role", "ops"],
    "rep": ["--role", "rep", "--payee", "ae2"],
    "payroll": ["--role", "payroll"],
}


def compengine(*args: str) -> str:
    done = subprocess.run([COMPENGINE, "--db", DB, *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"compengine {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"


def forget(name: str) -> None:
    """Revoke the token `name` if it exists."""
    subprocess.run([COMPENGINE, "--db", DB, "token", "revoke", "--name", name], capture_output=True)


def wait_for_server(server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"compengine serve stopped; is port {PORT} free?")
        try:
            with urllib.request.urlopen(f"{BASE}/api/v1/health", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("compengine serve did not start")


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--hide-scrollbars", "--window-size=1280,900"):  # fmt: skip
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def sign_in(driver: webdriver.Chrome, token: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{BASE}/login")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()


def save(driver: webdriver.Chrome, name: str, width: int) -> Path:
    driver.set_window_size(width, 900)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(int(height), 2400 if width > 400 else 3200))
    path = DOCS / f"{name}-{width}.png"
    driver.save_screenshot(str(path))
    return path


def main() -> None:
    if not (ROOT / "out" / "demo.db").exists():
        sys.exit("out/demo.db is missing: run `make demo` first")
    tokens = {}
    for role, args in TOKENS.items():
        forget(f"screenshots-{role}")  # left over by an interrupted earlier run
        tokens[role] = compengine("token", "create", "--name", f"screenshots-{role}", *args)
    server = subprocess.Popen(
        [COMPENGINE, "--db", DB, "serve", "--port", str(PORT), "--plans", str(PLANS)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_server(server)
        driver = browser()
        try:
            signed_in_as = None
            for name, role, path, widths in PAGES:
                if role != signed_in_as:
                    sign_in(driver, tokens[role])
                    signed_in_as = role
                driver.get(BASE + path)
                for width in widths:
                    print(save(driver, name, width).relative_to(ROOT))
        finally:
            driver.quit()
    finally:
        server.terminate()
        server.wait(timeout=30)
        for role in TOKENS:
            forget(f"screenshots-{role}")


if __name__ == "__main__":
    main()
