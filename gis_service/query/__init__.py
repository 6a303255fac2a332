"""The query language every read of features speaks, whichever door it comes through
(the catalogue's API, the OGC API, exports): coordinate reference systems, CQL2 filters
and temporal instants and intervals. It knows no route and no table."""
