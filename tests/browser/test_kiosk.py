"""A kiosk in a real browser (issue 14): left alone, it warns, then returns to the start by itself
with nothing of the last person; the thank-you page returns to the start by itself too.

The page's clock is Playwright's, moved on by hand: no test waits two minutes."""

from app.answering import kiosk

SECRET = "my neighbour Ahmed broke it"


def kiosk_context(browser, live_server, lang="sv"):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    with live_server.app.test_request_context():
        cookie = kiosk.device_cookie("feedback", lang, "facilitator@example.org")
    context.add_cookies([{"name": kiosk.DEVICE_COOKIE, "value": cookie, "url": live_server.url}])
    return context


def start(page) -> None:
    with page.expect_navigation():
        page.click("form.start-form button[type=submit]")


def test_a_kiosk_left_alone_warns_then_starts_over_with_nothing_of_the_last_person(browser, live_server):
    context = kiosk_context(browser, live_server)
    page = context.new_page()
    page.clock.install()
    page.goto(f"{live_server.url}/s/feedback?lang=en")
    start(page)
    page.fill("#message", SECRET)  # typed, not sent: the person walks away
    warning = page.locator("#kiosk-warning")
    assert warning.is_hidden()

    page.clock.run_for(105_000)  # 15 s before the idle time of 120 s ends
    assert warning.is_visible()
    assert "Sekunder kvar: 15" in warning.inner_text()  # the kiosk speaks Swedish: its language
    page.click("[data-kiosk-stay]")  # "I am still here": the whole time again
    assert warning.is_hidden()

    with page.expect_navigation():
        page.clock.run_for(125_000)  # nobody: the page starts over by itself
    assert page.url.endswith("/s/feedback?lang=sv")  # in the kiosk's language, for the next person
    page.go_back()
    assert SECRET not in page.content()
    context.close()


def test_after_sending_the_thank_you_page_returns_to_the_start_by_itself(browser, live_server):
    context = kiosk_context(browser, live_server, lang="en")
    page = context.new_page()
    page.clock.install()
    page.goto(f"{live_server.url}/s/feedback?lang=ar")
    start(page)
    page.fill("#message", SECRET)
    with page.expect_navigation():
        page.click("#page-form button[name=nav][value=next]")
    while "/thanks" not in page.url:  # the feedback survey's later pages are optional
        with page.expect_navigation():
            page.click("#page-form button[name=nav][value=next]")
    receipt = page.locator(".receipt").inner_text()
    assert receipt
    with page.expect_navigation():
        page.clock.run_for(21_000)
    assert page.url.endswith("/s/feedback?lang=en")
    assert receipt not in page.content() and SECRET not in page.content()
    page.go_back()
    assert receipt not in page.content()  # shown once
    context.close()
