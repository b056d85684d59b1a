"""`/api/docs`: Swagger UI served from this machine renders the operations list under the
app's own content-security policy (no CDN, no inline script)."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import Household, NewContext


async def test_the_api_docs_render_the_operations_under_the_csp(
    household: Household, new_context: NewContext
) -> None:
    # new_context fails the test on any console error, failed file or CSP violation.
    context = await new_context()
    page: Page = await context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = await page.goto("/api/docs")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]

    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("Life World OS")
    operations = page.locator(".opblock")
    await expect(operations.first).to_be_visible()
    assert await operations.count() > 50
    await expect(page.locator(".opblock-summary-path", has_text="/api/v1/me/activities").first)\
        .to_be_visible()  # fmt: skip
    # Everything came from this server.
    assert requested and all(url.startswith(household.server.url) for url in requested), requested
