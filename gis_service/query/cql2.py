"""CQL2 text (OGC API - Features Part 3) to SQL, for a subset that GIS clients use:
comparison (= <> < > <= >=), LIKE, IN, BETWEEN, IS [NOT] NULL, AND / OR / NOT with
parentheses, and S_INTERSECTS with a WKT geometry or BBOX. Property names must be the
layer's queryables; every literal is a bound parameter, never spliced into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import shapely.wkt

from gis_service.core.errors import BadRequest

TOKEN = re.compile(
    r"""
    \s*(?:
      (?P<string>'(?:[^']|'')*')
     |(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
     |(?P<op><>|<=|>=|=|<|>)
     |(?P<punct>[(),])
     |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
     |(?P<quoted>"[^"]+")
    )""",
    re.VERBOSE,
)
KEYWORDS = {
    "AND",
    "OR",
    "NOT",
    "LIKE",
    "IN",
    "BETWEEN",
    "IS",
    "NULL",
    "TRUE",
    "FALSE",
    "S_INTERSECTS",
    "BBOX",
    "DATE",
    "TIMESTAMP",
    "POINT",
    "LINESTRING",
    "POLYGON",
    "MULTIPOINT",
    "MULTILINESTRING",
    "MULTIPOLYGON",
}
WKT_TYPES = {"POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON"}


MAX_DEPTH = 40  # nested parentheses or NOTs: deeper is refused before Python's own limit
NUMBER_TYPES = {"integer", "bigint", "smallint", "numeric", "double precision", "real"}


def kind_of(sql_type: str) -> str:
    """A column's database type as the kind of literal it compares with."""
    if sql_type in NUMBER_TYPES:
        return "number"
    if sql_type == "boolean":
        return "boolean"
    if sql_type == "date" or sql_type.startswith("timestamp"):
        return "time"
    if sql_type in ("text", "character varying", "character"):
        return "string"
    return "other"  # arrays, geometry: only IS NULL applies


def _instant(value: str) -> str:
    """A date or date-time text checked here, so that the database never fails a cast.
    GDAL writes a plain date as '2025-01-31T' (a date with an empty time): that is the date."""
    if len(value) == 11 and value.endswith("T"):
        value = value[:-1]
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise _error(
            f"'{value[:30]}' is not a date or time like 2025-01-31 or 2025-01-31T08:00:00Z"
        ) from None
    return value


def _error(message: str) -> BadRequest:
    return BadRequest(f"filter: {message}", f"filter 过滤表达式有误：{message}")


@dataclass
class _Parser:
    text: str
    queryables: dict[str, str]  # name -> kind (number, string, boolean, time, other)
    geometry_column: str | None
    tokens: list[tuple[str, str]] = field(default_factory=list)
    pos: int = 0
    params: dict = field(default_factory=dict)
    depth: int = 0

    def __post_init__(self) -> None:
        i = 0
        while i < len(self.text):
            if self.text[i:].strip() == "":
                break
            m = TOKEN.match(self.text, i)
            if not m or m.end() == i:
                raise _error(f"cannot read '{self.text[i : i + 20]}'")
            kind = m.lastgroup
            value = m.group(kind)
            if kind == "word" and value.upper() in KEYWORDS:
                kind, value = "kw", value.upper()
            if kind == "quoted":
                kind, value = "word", value[1:-1]
            self.tokens.append((kind, value))
            i = m.end()

    # -- helpers -----------------------------------------------------------------------
    def peek(self, kind: str | None = None, value: str | None = None) -> bool:
        if self.pos >= len(self.tokens):
            return False
        k, v = self.tokens[self.pos]
        return (kind is None or k == kind) and (value is None or v == value)

    def take(self, kind: str | None = None, value: str | None = None) -> str:
        if not self.peek(kind, value):
            got = self.tokens[self.pos][1] if self.pos < len(self.tokens) else "the end"
            raise _error(f"expected {value or kind} but found {got}")
        self.pos += 1
        return self.tokens[self.pos - 1][1]

    def bind(self, value) -> str:
        name = f"cql{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def prop(self) -> tuple[str, str, str]:
        """(SQL, name, kind) of a property."""
        name = self.take("word")
        if name not in self.queryables:
            raise _error(f"'{name}' is not a queryable of this collection; see its /queryables")
        return f't."{name}"', name, self.queryables[name]

    def typed_literal(self, name: str, kind: str) -> str:
        """A literal that the property can be compared with, or a 400 saying what fits."""
        wanted = {
            "number": ("number",),
            "string": ("string",),
            "boolean": ("kw",),
            "time": ("string", "kw"),
        }.get(kind)
        if wanted is None:
            raise _error(f"'{name}' cannot be compared; only IS NULL applies to it")
        found = self.tokens[self.pos][0] if self.pos < len(self.tokens) else None
        if found not in wanted or (
            kind == "boolean" and not (self.peek("kw", "TRUE") or self.peek("kw", "FALSE"))
        ):
            what = {
                "number": "a number",
                "string": "a quoted string",
                "boolean": "TRUE or FALSE",
                "time": "a DATE('…'), TIMESTAMP('…') or quoted date",
            }[kind]
            raise _error(f"'{name}' is a {kind} property: compare it with {what}")
        if kind == "time" and self.peek("string"):
            return f"CAST({self.bind(_instant(self.take('string')[1:-1]))} AS timestamptz)"
        return self.literal()

    def literal(self) -> str:
        if self.peek("string"):
            return self.bind(self.take("string")[1:-1].replace("''", "'"))
        if self.peek("number"):
            raw = self.take("number")
            return self.bind(float(raw) if any(c in raw for c in ".eE") else int(raw))
        if self.peek("kw", "TRUE") or self.peek("kw", "FALSE"):
            return self.bind(self.take("kw") == "TRUE")
        if self.peek("kw", "DATE") or self.peek("kw", "TIMESTAMP"):
            kind = self.take("kw")
            self.take("punct", "(")
            value = self.take("string")[1:-1]
            self.take("punct", ")")
            if kind == "DATE":
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise _error(f"DATE('{value[:30]}') is not a date like 2025-01-31") from None
                return f"CAST({self.bind(value)} AS date)"
            return f"CAST({self.bind(_instant(value))} AS timestamptz)"
        raise _error("expected a literal value")

    # -- grammar -----------------------------------------------------------------------
    def expression(self) -> str:
        parts = [self.conjunction()]
        while self.peek("kw", "OR"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def conjunction(self) -> str:
        parts = [self.negation()]
        while self.peek("kw", "AND"):
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _error(f"the expression nests deeper than {MAX_DEPTH} levels")

    def negation(self) -> str:
        if self.peek("kw", "NOT"):
            self.take()
            self.deeper()
            return f"(NOT {self.negation()})"
        return self.predicate()

    def predicate(self) -> str:
        if self.peek("punct", "("):
            self.take()
            self.deeper()
            inner = self.expression()
            self.take("punct", ")")
            self.depth -= 1
            return inner
        if self.peek("kw", "S_INTERSECTS"):
            return self.spatial()
        column, name, kind = self.prop()
        if self.peek("op"):
            op = self.take("op")
            return f"({column} {op} {self.typed_literal(name, kind)})"
        negate = ""
        if self.peek("kw", "NOT"):
            self.take()
            negate = "NOT "
        if self.peek("kw", "LIKE"):
            self.take()
            if not self.peek("string"):
                raise _error("LIKE takes a quoted pattern, e.g. name LIKE '东%'")
            return f"({column}::text {negate}LIKE {self.literal()})"
        if self.peek("kw", "IN"):
            self.take()
            self.take("punct", "(")
            values = [self.typed_literal(name, kind)]
            while self.peek("punct", ","):
                self.take()
                values.append(self.typed_literal(name, kind))
            self.take("punct", ")")
            return f"({column} {negate}IN ({', '.join(values)}))"
        if self.peek("kw", "BETWEEN"):
            self.take()
            low = self.typed_literal(name, kind)
            self.take("kw", "AND")
            return f"({column} {negate}BETWEEN {low} AND {self.typed_literal(name, kind)})"
        if self.peek("kw", "IS"):
            self.take()
            isnot = "NOT " if self.peek("kw", "NOT") else ""
            if isnot:
                self.take()
            self.take("kw", "NULL")
            return f"({column} IS {isnot}NULL)"
        raise _error("expected a comparison, LIKE, IN, BETWEEN or IS NULL")

    def spatial(self) -> str:
        self.take("kw", "S_INTERSECTS")
        self.take("punct", "(")
        name = self.take("word")
        if not self.geometry_column or name not in ("geom", "geometry", self.geometry_column):
            raise _error(f"'{name}' is not this collection's geometry")
        self.take("punct", ",")
        geometry = self.geometry_literal()
        self.take("punct", ")")
        return f'ST_Intersects(t."{self.geometry_column}", {geometry})'

    def geometry_literal(self) -> str:
        if self.peek("kw", "BBOX"):
            self.take()
            self.take("punct", "(")
            nums = [float(self.take("number"))]
            for _ in range(3):
                self.take("punct", ",")
                nums.append(float(self.take("number")))
            self.take("punct", ")")
            return f"ST_MakeEnvelope({', '.join(self.bind(n) for n in nums)}, 4490)"
        kind = self.take("kw")
        if kind not in WKT_TYPES:
            raise _error("expected a WKT geometry or BBOX")
        start = self.pos
        depth = 0
        while True:  # collect the coordinate text up to the matching parenthesis
            k, v = self.tokens[self.pos] if self.pos < len(self.tokens) else ("", "")
            if not k:
                raise _error("unbalanced parentheses in the geometry")
            self.pos += 1
            if v == "(":
                depth += 1
            elif v == ")":
                depth -= 1
                if depth == 0:
                    break
        body = " ".join(v for _, v in self.tokens[start : self.pos]).replace(" ,", ",").replace("( ", "(")
        wkt = kind + body
        try:
            shape = shapely.wkt.loads(wkt)
        except Exception:
            raise _error(f"the geometry {wkt[:60]} is not valid WKT") from None
        if shape.is_empty or not shape.is_valid:
            raise _error(f"the geometry {wkt[:60]} is empty or not valid (e.g. a polygon with no area)")
        return f"ST_GeomFromText({self.bind(wkt)}, 4490)"


def to_sql(text: str, *, queryables: dict[str, str], geometry_column: str | None) -> tuple[str, dict]:
    """A SQL condition on alias `t` and its parameters, or a clear 400."""
    if len(text) > 20_000:
        raise _error("the expression is too long")
    parser = _Parser(text, queryables, geometry_column)
    if not parser.tokens:
        raise _error("the expression is empty")
    sql = parser.expression()
    if parser.pos != len(parser.tokens):
        raise _error(f"unexpected '{parser.tokens[parser.pos][1]}'")
    return sql, parser.params
