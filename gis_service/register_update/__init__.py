"""The register's yearly update: a new edition of the statistical division codes is read,
each difference from the register classified, reviewed by the officers of the units it
touches, and accepted changes become versions of the records."""
