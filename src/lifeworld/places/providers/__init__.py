"""Place providers: offline (gazetteer), nominatim (OpenStreetMap) and google (Places API)."""
