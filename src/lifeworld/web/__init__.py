"""The web pages: templates, static files, page auth, forms and the app shell (PWA).

Adding a screen (see `accounts/settings_views.py` or `investments/views.py` for full examples):
- routes live in `<domain>/views.py` on an `APIRouter(include_in_schema=False)`, listed in
  `lifeworld/routers.py`; templates in `templates/<domain>/…` extend `base.html` and import
  `_macros.html`;
- a GET page takes `viewer: PageViewer` (redirects to /login?next=… when signed out), calls the
  same service function as the JSON API and returns `render(request, template, viewer=…, …)`;
  one `<domain>_page(request, viewer, db, status=…, **forms)` function draws the page, with
  any form given as it was sent, so the success and the error paths share it;
- a POST form takes `viewer: FormViewer` (CSRF checked), reads `PageForm.read(request)`,
  validates with the API's pydantic schema (`form.validate(Schema)`, or `form.validate_data`
  for a nested body), and on any error raises `ShowPage(<the page rendered again with form>)`
  so the transaction rolls back; a game rule's refusal goes into the form's message (409);
- an action that records something calls `submissions.once(...)` before the service and answers
  with `submissions.done(..., to=..., flash=Flash(...))`: a double tap is recorded once;
- `m.form(..., swap=True)` lets app.js send the form in the background and put the answer's
  <main> in place (no full reload); without JavaScript it is the same POST-redirect-GET;
- pictures are inline SVG from `charts.py` (numbers in, markup out); words and number formats
  for codes are in `labels.py`; a page never computes a game rule;
- add the screen to `nav.NAV_ITEMS`.
"""
