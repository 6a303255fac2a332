"""The base map under the layers: a bureau's own tile package (MBTiles or PMTiles, raster
or vector) named by a setting, or else a vector base map drawn from the reference data
the database already holds. Served by the service itself, so it works offline."""
