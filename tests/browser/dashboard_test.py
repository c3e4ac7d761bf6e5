"""Dashboard browser test: run by tests/browser/run (which starts mxray serve and chromedriver).

Logs in with password + TOTP (RFC 6238, computed here), opens the overview and a target, asserts on
what the page shows and saves screenshots to $OUT. Any failed assertion exits non-zero.
"""
import base64
import hashlib
import hmac
import os
import struct
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

URL = os.environ["MXRAY_URL"]
OUT = os.environ["OUT"]


def totp(secret_b32, at=None, step=30, digits=6):
    """RFC 6238 §4 over RFC 4226 §5.3 (HMAC-SHA-1, dynamic truncation)."""
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    counter = int((at if at is not None else time.time()) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


def check(condition, message):
    if not condition:
        print("FAIL:", message, file=sys.stderr)
        raise SystemExit(1)
    print("ok:", message)


def shot(driver, name):
    path = os.path.join(OUT, name)
    # Full page: grow the window to the document height first.
    height = driver.execute_script("return Math.max(document.body.scrollHeight, 900)")
    driver.set_window_size(1400, min(int(height) + 40, 6000))
    driver.save_screenshot(path)
    print("screenshot:", path)


def main():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    driver = webdriver.Remote(command_executor=os.environ["DRIVER_URL"], options=options)
    wait = WebDriverWait(driver, 20)
    try:
        driver.get(URL + "/")
        wait.until(EC.presence_of_element_located((By.ID, "password")))
        check(driver.current_url.endswith("/login"), "an anonymous visit is sent to /login")
        shot(driver, "01-login.png")

        # A wrong code is refused.
        driver.find_element(By.ID, "user").send_keys(os.environ["MXRAY_USER"])
        driver.find_element(By.ID, "password").send_keys(os.environ["MXRAY_PASSWORD"])
        wrong = str((int(totp(os.environ["MXRAY_TOTP"])) + 1) % 1000000).zfill(6)
        driver.find_element(By.ID, "code").send_keys(wrong)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "p.error")))
        check("Wrong user, password or code" in driver.find_element(By.CSS_SELECTOR, "p.error").text, "a wrong TOTP code is refused")

        # The right one logs in.
        driver.find_element(By.ID, "user").clear()
        driver.find_element(By.ID, "user").send_keys(os.environ["MXRAY_USER"])
        driver.find_element(By.ID, "password").send_keys(os.environ["MXRAY_PASSWORD"])
        driver.find_element(By.ID, "code").send_keys(totp(os.environ["MXRAY_TOTP"]))
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(EC.presence_of_element_located((By.ID, "targets")))
        check(driver.current_url.rstrip("/") == URL, "login with password + TOTP lands on the overview")
        cookies = {c["name"]: c for c in driver.get_cookies()}
        session = cookies.get("__Host-mxray-session")
        check(session is not None, "the session cookie is set")
        check(session.get("httpOnly") and session.get("secure") and session.get("sameSite") == "Strict",
              "the session cookie is HttpOnly, Secure, SameSite=Strict")

        rows = driver.find_elements(By.CSS_SELECTOR, "#targets tbody tr")
        names = [r.get_attribute("data-target") for r in rows]
        check(names == ["good", "broken"], "the overview lists both targets: %s" % names)
        good = driver.find_element(By.CSS_SELECTOR, "tr[data-target=good]")
        check(good.find_element(By.CSS_SELECTOR, ".status").text.lower() in ("healthy", "degraded"),
              "good.lab.test shows as healthy or degraded")
        broken = driver.find_element(By.CSS_SELECTOR, "tr[data-target=broken]")
        check(broken.find_element(By.CSS_SELECTOR, ".status").text.lower() == "failing", "broken.lab.test shows as failing")
        check(len(good.find_elements(By.CSS_SELECTOR, "svg.spark rect")) >= 1, "the sparkline has a bar per run")
        check(good.find_element(By.TAG_NAME, "time").text != "", "the last check time is shown")
        shot(driver, "02-overview.png")

        good.find_element(By.LINK_TEXT, "good").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "iframe.report")))
        check(driver.find_element(By.TAG_NAME, "h1").text.startswith("good"), "the target page is open")
        body = driver.find_element(By.TAG_NAME, "main").text
        check("Latest run" in body and "Check duration" in body and "Success" in body, "the target page has its sections")
        check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart")) >= 2, "latency and success charts are drawn")
        shot(driver, "03-target.png")

        driver.switch_to.frame(driver.find_element(By.CSS_SELECTOR, "iframe.report"))
        heading = driver.find_element(By.TAG_NAME, "h1").text
        check("good.lab.test" in heading, "the embedded report is the check report of good.lab.test: %r" % heading)
        check("Findings" in driver.find_element(By.TAG_NAME, "body").text, "the report lists findings")
        driver.switch_to.default_content()

        driver.get(URL + "/changes")
        check(driver.find_element(By.TAG_NAME, "h1").text == "Changes", "the changes page opens")
        driver.get(URL + "/targets/broken")
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "iframe.report")))
        shot(driver, "04-broken.png")

        # Logging out ends the session.
        driver.find_element(By.CSS_SELECTOR, "form.logout button").click()
        wait.until(EC.presence_of_element_located((By.ID, "password")))
        driver.get(URL + "/")
        check(driver.current_url.endswith("/login"), "after logout the dashboard asks to log in again")
    finally:
        driver.quit()
    print("browser test passed")


if __name__ == "__main__":
    main()
