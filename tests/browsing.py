"""Helpers for the browser tests."""


def nav_click(page, text: str) -> None:
    """Follow the main menu's entry ``text``, opening its section first when a long menu folds it away."""
    link = page.locator("nav.mainnav a", has_text=text).first
    if not link.is_visible():
        section = page.locator("nav.mainnav details.navgroup", has=page.locator("a", has_text=text))
        section.locator("summary").click()
    link.click()
