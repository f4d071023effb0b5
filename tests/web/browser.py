"""A real headless Chromium (the system `chromium` and `chromedriver`) for the web page
tests, and the checks on what it shows: amounts as numbers, screenshots that are not blank."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageStat
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTHS = (1280, 360)


@contextmanager
def chromium(downloads: Path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1280,900"):  # fmt: skip
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(120)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield driver
    finally:
        driver.quit()


Locator = tuple[str, str]  # (By.ID, "action-lock"), as find_element takes it
_MARK = "window.compengineBeforeClick"  # set on the page a click leaves


def click(driver: webdriver.Chrome, target: Locator, seconds: float = 120) -> None:
    """Click the link or button `target` finds once it can be clicked, and wait until the
    page it leads to has loaded (a new document: the mark set before the click is gone).

    Chromium may answer a click, or a look at the element, with 'Node ... does not belong
    to the document' instead of a stale element: when the page is still the same, the
    element was swapped before the click and is found again; when it is not, the click
    went through."""
    for attempt in range(2):
        element = WebDriverWait(driver, seconds).until(
            expected_conditions.element_to_be_clickable(target)
        )
        driver.execute_script(f"{_MARK} = true;")
        try:
            element.click()
        except WebDriverException as error:  # StaleElementReferenceException is one
            if not _detached(error) or (_same_page(driver) and attempt):
                raise
            if _same_page(driver):
                continue
        break
    WebDriverWait(driver, seconds, ignored_exceptions=(WebDriverException,)).until(
        lambda d: not _same_page(d) and d.execute_script("return document.readyState") == "complete"
    )


def _same_page(driver: webdriver.Chrome) -> bool:
    try:
        return driver.execute_script(f"return {_MARK} === true;") is True
    except WebDriverException:  # navigating
        return False


def _detached(error: WebDriverException) -> bool:
    return isinstance(error, StaleElementReferenceException) or (
        "does not belong to the document" in str(error)
    )


def sign_in(driver: webdriver.Chrome, base: str, token: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{base}/login")
    driver.find_element(By.ID, "token").send_keys(token)
    click(driver, (By.CSS_SELECTOR, "form[action='/login'] button"))


def shown_amount(text: str) -> Decimal:
    """'$1,234.50' or '-$12.34' as the exact number a page shows."""
    return Decimal(text.replace("$", "").replace(",", "").strip())


def wait_for_file(folder: Path, suffix: str, seconds: float = 60) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} file was downloaded into {folder}")


def screenshot(driver: webdriver.Chrome, folder: Path, name: str) -> list[Path]:
    """The current page at each width (the whole page's height, up to a limit), each
    checked not to be blank."""
    paths = []
    for width in WIDTHS:
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(int(height), 600), 4000))
        path = folder / f"{name}-{width}.png"
        driver.save_screenshot(str(path))
        assert_not_blank(path)
        paths.append(path)
    driver.set_window_size(1280, 900)
    return paths


def assert_not_blank(path: Path) -> None:
    """A page screenshot with text on it: many colours and a real spread of brightness."""
    with Image.open(path) as image:
        grey = image.convert("L")
        assert ImageStat.Stat(grey).stddev[0] > 10, f"{path.name} looks blank"
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 20, path.name


def no_horizontal_scroll(driver: webdriver.Chrome) -> bool:
    """The page itself fits the window (wide tables scroll inside their own box)."""
    return driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1"
    )
