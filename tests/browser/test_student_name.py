"""On a laptop the landing page asks a name before the first hand-in: with the keyboard alone,
with a label a screen reader reads, and with what was saved announced."""

from __future__ import annotations

from playwright.sync_api import expect


def test_a_student_gives_their_name_by_keyboard_and_hands_in(laptop_server, open_page,
                                                             tmp_path):
    from repairlab.handin import read_submission

    home = open_page(laptop_server.url("index.ipynb"), wait_for=".repairlab-home")
    page = home.page
    page.get_by_role("button", name="Prepare my hand-in file").click()
    expect(page.locator(".repairlab-handin")).to_contain_text(
        "Give your name or student number in the box above")

    box = page.get_by_label("Name or student number")  # the label is tied to the box
    expect(box).to_be_visible()
    box.focus()
    page.keyboard.type("Ana <b>López</b>")
    page.keyboard.press("Tab")  # leaving the box sends its value; the button is next
    expect(page.get_by_role("button", name="Save my name")).to_be_focused()
    page.keyboard.press("Enter")
    status = page.locator(".repairlab-identity .repairlab-feedback")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("Saved. Your hand-in files will carry Ana <b>López</b>.")
    expect(page.get_by_role("button", name="Change my name")).to_be_visible()

    page.get_by_role("button", name="Prepare my hand-in file").click()
    link = page.locator("a.rl-download")
    expect(link).to_be_visible(timeout=20_000)
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("repairlab-Ana-b-López-b-")
    assert read_submission(saved)["student"] == "Ana <b>López</b>"
    home.watch.assert_clean()

    again = open_page(laptop_server.url("index.ipynb"), wait_for=".repairlab-home")
    expect(again.page.get_by_label("Name or student number")).to_have_value("Ana <b>López</b>")
    again.watch.assert_clean()
