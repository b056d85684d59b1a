"""The web pages: templates, static files, page auth, forms and the app shell (PWA).

Adding a screen (see `accounts/settings_views.py` for a full example):
- routes live in `<domain>/views.py` on an `APIRouter(include_in_schema=False)` included in
  app.py; templates in `templates/<domain>/…` extend `base.html` and import `_macros.html`;
- a GET page takes `viewer: PageViewer` (redirects to /login?next=… when signed out), calls the
  same service function as the JSON API and returns `render(request, template, viewer=…, …)`;
- a POST form takes `viewer: FormViewer` (CSRF checked), reads `PageForm.read(request)`,
  validates with the API's pydantic schema (`form.validate(Schema)`), and on any error raises
  `ShowPage(<the page rendered again with form>)` so the transaction rolls back;
- an action that records something calls `submissions.once(...)` before the service and answers
  with `submissions.done(..., to=..., flash=Flash(...))`: a double tap is recorded once;
- add the screen to `nav.NAV_ITEMS`.
"""
