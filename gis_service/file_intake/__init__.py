"""Files as they come in: uploaded vector files and tables, read by what their bytes are
(never by their name), from memory, by parsers that open only the format expected.

No GDAL driver reads an upload: a ".geojson" that is really a GDAL VRT, or a GeoPackage
whose table points at another file, would otherwise make the server read its own files
or fetch URLs. GeoJSON is parsed as JSON, a GeoPackage as an SQLite image held in memory,
a Shapefile from the members of its zip; a coordinate system is taken only from WKT or an
EPSG/OGC name, never from a path or an init file."""
