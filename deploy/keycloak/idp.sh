# shellcheck shell=bash
# The identity provider of the local stack: Keycloak, sourced by deploy/stack (which
# defines say/warn/die, ms_now, port_open, require_port_free, proc_cmdline, rss_mb and
# the PostgreSQL helpers used here). See deploy/README.md, "Identity provider".
#
# Keycloak's server distribution is fetched once from Maven Central into deploy/.cache,
# built once for PostgreSQL (`kc.sh build`), then started with `start --optimized`, which
# skips the minute-long Quarkus build on every later start.

KC_VERSION=26.5.6
KC_HOME=$CACHE_DIR/keycloak-$KC_VERSION
KC_STATE=$STATE_DIR/keycloak
KC_SECRETS=$KC_STATE/secrets
KC_LOG=$KC_STATE/keycloak.log
KC_REALM_FILE=$DEPLOY_DIR/keycloak/crosscheck-realm.json
KC_REALM_STAMP=$KC_STATE/realm.sha256
KC_REALM=crosscheck
KC_DB=keycloak
KC_ADMIN=admin
KC_MIN_JAVA=21
# Build-time options: changing them means building again (the stamp in KC_HOME says so).
KC_BUILD_OPTS=(--db=postgres --health-enabled=true)

IDP_PORT=${CROSSCHECK_IDP_PORT:-18180}
IDP_MANAGEMENT_PORT=${CROSSCHECK_IDP_MANAGEMENT_PORT:-18190}
IDP_HEAP=${CROSSCHECK_IDP_HEAP:-512m}
# First start creates the schema, the master realm and the realm: 100-240 s measured on
# two cores shared with other jobs.
IDP_TIMEOUT=${CROSSCHECK_IDP_TIMEOUT:-600}
IDP_URL=http://127.0.0.1:$IDP_PORT
OIDC_AUDIENCE=crosscheck-api
IDP_CLIENT_ID=crosscheck-registry

kc_java_version() { # java_home -> major version, empty when unknown
    local home=$1 v=""
    [[ -x $home/bin/java ]] || return 0
    if [[ -r $home/release ]]; then
        v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
    fi
    [[ -n $v ]] || v=$("$home/bin/java" -version 2>&1 | sed -n '1s/.*version "\([^"]*\)".*/\1/p')
    v=${v#1.}
    v=${v%%[.+_-]*}
    is_uint "$v" && printf '%s' "$v"
}

kc_java_home() { # -> a JDK/JRE home with Java 21 or newer: JAVA_HOME, else the newest in /usr/lib/jvm
    local d v best="" best_v=0 looked=()
    if [[ -n ${JAVA_HOME:-} ]]; then
        v=$(kc_java_version "$JAVA_HOME")
        if [[ -n $v ]] && ((v >= KC_MIN_JAVA)); then
            printf '%s' "$JAVA_HOME"
            return
        fi
        looked+=("JAVA_HOME=$JAVA_HOME (Java ${v:-?})")
    fi
    for d in /usr/lib/jvm/*; do
        [[ -d $d ]] || continue
        v=$(kc_java_version "$d")
        [[ -n $v ]] || continue
        looked+=("$d (Java $v)")
        if ((v >= KC_MIN_JAVA && v > best_v)); then
            best=$d
            best_v=$v
        fi
    done
    [[ -n $best ]] && { printf '%s' "$best"; return; }
    die "Keycloak $KC_VERSION needs Java $KC_MIN_JAVA or newer, and none was found (looked at: ${looked[*]:-JAVA_HOME unset, /usr/lib/jvm empty}). Install a JDK 21+ (e.g. Temurin 21 or 25) under /usr/lib/jvm, or point JAVA_HOME at one."
}

kc_aot_cache() { # java_home -> where the JVM's AOT cache for this build and this Java lives (Java 25+)
    # Java 25 keeps the classes a run loaded, linked, with their profiles (JEP 483, 514, 515):
    # measured here, Keycloak then starts on ~40 % less CPU. A cache that no longer fits
    # the JDK or the jars is ignored by the JVM with a warning, never fatal.
    local v id
    v=$(kc_java_version "$1")
    [[ -n $v ]] && ((v >= 25)) || return 1
    id=$(printf '%s %s' "$1" "$(sed -n 's/^JAVA_VERSION=//p' "$1/release" 2>/dev/null)" | sha1sum | cut -c1-12)
    printf '%s/aot/keycloak-%s.aot' "$KC_HOME" "$id"
}

kc_build_stamp() { printf '%s\n' "$KC_VERSION ${KC_BUILD_OPTS[*]}"; }

ensure_keycloak() { # fetch (once), unpack (once), build (once per build options)
    local tmp t0 zip java_home
    java_home=$(kc_java_home)
    if [[ ! -f $KC_HOME/.complete ]]; then
        command -v mvn >/dev/null 2>&1 || die "mvn not found: Maven is needed once to fetch Keycloak"
        t0=$(ms_now)
        say "fetching Keycloak $KC_VERSION (~160 MB) from Maven Central into ${KC_HOME#"$DEPLOY_DIR"/} (once) ..."
        mkdir -p "$CACHE_DIR"
        tmp=$CACHE_DIR/keycloak.tmp.$$
        rm -rf "$tmp"
        mkdir -p "$tmp"
        if ! mvn -B -q dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" \
            -DoutputDirectory="$tmp" >"$CACHE_DIR/maven-keycloak.log" 2>&1; then
            show_tail "$CACHE_DIR/maven-keycloak.log" 40
            rm -rf "$tmp"
            die "Maven could not fetch Keycloak (full output: $CACHE_DIR/maven-keycloak.log)"
        fi
        zip=$tmp/keycloak-quarkus-dist-$KC_VERSION.zip
        if command -v unzip >/dev/null 2>&1; then
            unzip -q "$zip" -d "$tmp" || { rm -rf "$tmp"; die "could not unpack $zip"; }
        else
            "$java_home/bin/jar" xf "$zip" 2>/dev/null || (cd "$tmp" && python3 -m zipfile -e "$zip" .) ||
                { rm -rf "$tmp"; die "could not unpack $zip (no unzip, jar or python3)"; }
        fi
        rm -f "$zip"
        [[ -x $tmp/keycloak-$KC_VERSION/bin/kc.sh ]] || chmod +x "$tmp/keycloak-$KC_VERSION/bin/"*.sh 2>/dev/null || true
        [[ -f $tmp/keycloak-$KC_VERSION/bin/kc.sh ]] || { rm -rf "$tmp"; die "the Keycloak zip holds no bin/kc.sh"; }
        rm -rf "$KC_HOME"
        mv "$tmp/keycloak-$KC_VERSION" "$KC_HOME"
        rm -rf "$tmp"
        : >"$KC_HOME/.complete"
        say "Keycloak unpacked in $(secs_since "$t0") s"
    fi
    if [[ ! -f $KC_HOME/.built || $(<"$KC_HOME/.built") != "$(kc_build_stamp)" ]]; then
        t0=$(ms_now)
        say "building Keycloak for PostgreSQL (kc.sh build, once; about a minute) ..."
        rm -rf "$KC_HOME/.built" "$KC_HOME/aot"
        if ! JAVA_HOME=$java_home "$KC_HOME/bin/kc.sh" build "${KC_BUILD_OPTS[@]}" \
            >"$CACHE_DIR/keycloak-build.log" 2>&1 </dev/null; then
            show_tail "$CACHE_DIR/keycloak-build.log" 40
            die "kc.sh build failed (full output: $CACHE_DIR/keycloak-build.log)"
        fi
        kc_build_stamp >"$KC_HOME/.built"
        say "Keycloak built in $(secs_since "$t0") s"
    fi
}

kc_marker() { printf -- '-Dcrosscheck.stack.idp=%s' "$KC_STATE"; }

kc_pid() { # -> pid of the kc.sh launcher of this stack's Keycloak when it runs
    local pf=$KC_STATE/keycloak.pid pid
    [[ -r $pf ]] || return 1
    pid=$(<"$pf")
    if is_uint "$pid" && kill -0 "$pid" 2>/dev/null && [[ $(proc_cmdline "$pid") == *"$(kc_marker) "* ]]; then
        printf '%s' "$pid"
        return 0
    fi
    rm -f "$pf"
    return 1
}

kc_java_pid() { # launcher_pid -> pid of its JVM (kc.sh runs Java as a child and forwards SIGTERM)
    local child
    for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
        if [[ $(proc_cmdline "$child") == *"$(kc_marker) "* ]]; then
            printf '%s' "$child"
            return 0
        fi
    done
    return 1
}

kc_running_port() { # launcher_pid -> the HTTP port it was started with
    proc_cmdline "$1" | grep -o -- '--http-port=[0-9]*' | head -n 1 | cut -d= -f2
}

http_get_status() { # port path -> HTTP status code of a GET over /dev/tcp (no curl needed)
    (
        set +e
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$2" "$1" >&3
        line=$(timeout 5 head -n 1 <&3)
        code=${line#HTTP/1.? }
        printf '%s' "${code%% *}"
    ) 2>/dev/null
}

kc_ready() { # ready: management health UP and the realm's discovery document served
    [[ $(http_get_status "$IDP_MANAGEMENT_PORT" /health/ready) == 200 ]] &&
        [[ $(http_get_status "$IDP_PORT" "/realms/$KC_REALM/.well-known/openid-configuration") == 200 ]]
}

new_secret() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }

kc_load_secrets() { # sets KC_ADMIN_PASSWORD and IDP_CLIENT_SECRET from the secrets file
    KC_ADMIN_PASSWORD=$(sed -n 's/^KC_ADMIN_PASSWORD=//p' "$KC_SECRETS")
    IDP_CLIENT_SECRET=$(sed -n 's/^CROSSCHECK_IDP_CLIENT_SECRET=//p' "$KC_SECRETS")
    [[ -n $KC_ADMIN_PASSWORD && -n $IDP_CLIENT_SECRET ]] || die "$KC_SECRETS is incomplete; remove it to start Keycloak's data afresh"
}

kc_ensure_db() { # the `keycloak` database, created with its secrets (neither is of use without the other)
    local have
    have=$(pg_psql "$PG_PORT" postgres "SELECT 1 FROM pg_database WHERE datname = '$KC_DB'") ||
        die "cannot connect to PostgreSQL to look for the $KC_DB database"
    mkdir -p "$KC_STATE"
    if [[ ! -f $KC_SECRETS ]]; then
        if [[ $have == 1 ]]; then
            warn "database $KC_DB exists but its secrets ($KC_SECRETS) are gone; recreating it"
            pg_psql "$PG_PORT" postgres "DROP DATABASE $KC_DB" || die "could not drop database $KC_DB"
            have=""
        fi
        (
            umask 077
            printf '# Generated by deploy/stack at the first start of Keycloak; never commit.\n' >"$KC_SECRETS.tmp"
            printf 'KC_ADMIN_PASSWORD=%s\nCROSSCHECK_IDP_CLIENT_SECRET=%s\n' "$(new_secret)" "$(new_secret)" >>"$KC_SECRETS.tmp"
        )
        mv "$KC_SECRETS.tmp" "$KC_SECRETS"
        rm -f "$KC_REALM_STAMP"
    fi
    if [[ $have != 1 ]]; then
        pg_psql "$PG_PORT" postgres "CREATE DATABASE $KC_DB" || die "could not create database $KC_DB"
        rm -f "$KC_REALM_STAMP"
        say "created database $KC_DB"
    fi
    kc_load_secrets
}

kc_check_ports() {
    is_uint "$IDP_PORT" && ((IDP_PORT > 0 && IDP_PORT <= 65535)) ||
        die "CROSSCHECK_IDP_PORT must be a port number (got $IDP_PORT)"
    is_uint "$IDP_MANAGEMENT_PORT" && ((IDP_MANAGEMENT_PORT > 0 && IDP_MANAGEMENT_PORT <= 65535)) ||
        die "CROSSCHECK_IDP_MANAGEMENT_PORT must be a port number (got $IDP_MANAGEMENT_PORT)"
    ((IDP_PORT != IDP_MANAGEMENT_PORT)) || die "CROSSCHECK_IDP_PORT and CROSSCHECK_IDP_MANAGEMENT_PORT are both $IDP_PORT"
    local p
    for p in "$IDP_PORT" "$IDP_MANAGEMENT_PORT"; do
        ((p != PG_PORT && (p < KAFKA_BASE_PORT || p >= KAFKA_BASE_PORT + 6))) ||
            die "the identity provider's port $p collides with the Kafka or PostgreSQL ports"
    done
}

kc_start() { # PostgreSQL must be ready; returns at once, kc_wait_ready waits
    local java_home aot aot_opt=""
    java_home=$(kc_java_home)
    if aot=$(kc_aot_cache "$java_home"); then
        mkdir -p "$(dirname "$aot")"
        # Without a cache this run is the training run: the JVM writes the cache when it
        # exits (on 'deploy/stack down'), and the starts after that use it.
        if [[ -s $aot ]]; then aot_opt=-XX:AOTCache=$aot; else aot_opt=-XX:AOTCacheOutput=$aot; fi
    fi
    mkdir -p "$KC_STATE" "$KC_HOME/data/import"
    # --import-realm reads data/import; an existing realm is left alone (see kc_realm_check).
    cp "$KC_REALM_FILE" "$KC_HOME/data/import/$KC_REALM-realm.json"
    rm -f "$KC_STATE/keycloak.pid"
    printf '\n===== %s: deploy/stack starts Keycloak %s with Java %s\n' "$(date -Is)" "$KC_VERSION" \
        "$(kc_java_version "$java_home")" >>"$KC_LOG"
    (
        cd "$KC_STATE"
        local launcher=()
        command -v setsid >/dev/null 2>&1 && launcher=(setsid)
        # Secrets go through the environment, not the command line (ps shows that to all);
        # the realm file's ${CROSSCHECK_IDP_CLIENT_SECRET} placeholder is filled from it.
        export JAVA_HOME=$java_home \
            JAVA_OPTS_KC_HEAP="-Xms64m -Xmx$IDP_HEAP" \
            JAVA_OPTS_APPEND=$aot_opt \
            KC_BOOTSTRAP_ADMIN_USERNAME=$KC_ADMIN \
            KC_BOOTSTRAP_ADMIN_PASSWORD=$KC_ADMIN_PASSWORD \
            CROSSCHECK_IDP_CLIENT_SECRET=$IDP_CLIENT_SECRET
        exec "${launcher[@]}" bash -c 'echo $$ >"$0"; exec "$@"' "$KC_STATE/keycloak.pid" \
            "$KC_HOME/bin/kc.sh" start --optimized \
            --http-enabled=true --http-host=127.0.0.1 --http-port="$IDP_PORT" \
            --http-management-port="$IDP_MANAGEMENT_PORT" \
            --hostname="$IDP_URL" \
            --cache=local \
            --db-url="jdbc:postgresql://127.0.0.1:$PG_PORT/$KC_DB" --db-username="$PG_SUPERUSER" \
            --db-pool-max-size=20 \
            --import-realm \
            --log-console-color=false \
            "$(kc_marker)"
    ) </dev/null >>"$KC_LOG" 2>&1 9>&- &
    local i
    for ((i = 0; i < 50; i++)); do
        [[ -s $KC_STATE/keycloak.pid ]] && return 0
        sleep 0.1
    done
    die "Keycloak did not start (see $KC_LOG)"
}

kc_wait_ready() {
    local deadline=$(($(date +%s) + IDP_TIMEOUT))
    until kc_ready; do
        if ! kc_pid >/dev/null; then
            show_tail "$KC_LOG" 40
            die "Keycloak exited during startup (log: $KC_LOG)"
        fi
        if (($(date +%s) >= deadline)); then
            show_tail "$KC_LOG" 40
            die "Keycloak did not become ready within ${IDP_TIMEOUT}s (CROSSCHECK_IDP_TIMEOUT); it is left running for inspection, 'deploy/stack down' stops it"
        fi
        sleep 0.5
    done
}

kc_realm_check() { # after ready: remember what was imported; say when the file has changed since
    local now
    now=$(sha256sum "$KC_REALM_FILE" | cut -d' ' -f1)
    if [[ ! -f $KC_REALM_STAMP ]]; then
        printf '%s\n' "$now" >"$KC_REALM_STAMP"
    elif [[ $(<"$KC_REALM_STAMP") != "$now" ]]; then
        warn "deploy/${KC_REALM_FILE#"$DEPLOY_DIR"/} changed since realm '$KC_REALM' was imported; Keycloak keeps the imported one. 'deploy/stack reimport-realm' replaces it (its users are deleted)."
    fi
}

kc_stop() { # launcher_pid
    local pid=$1 java aot="" patience=$STOP_TIMEOUT
    java=$(kc_java_pid "$pid") || java=""
    [[ -n $java ]] && aot=$(proc_cmdline "$java" | grep -o -- '-XX:AOTCacheOutput=[^ ]*' | cut -d= -f2 || true)
    say "stopping Keycloak (pid ${java:-$pid}) ..."
    if [[ -n $aot ]]; then
        # A training run: the JVM assembles the cache in a child JVM before it exits
        # (measured: 10-70 s, longer on a busy machine).
        say "Keycloak writes its start-up cache as it stops (once after each build) ..."
        patience=$((STOP_TIMEOUT * 5))
    fi
    STOP_TIMEOUT=$patience stop_pid "$pid" "Keycloak"
    # The launcher waits for its JVM; should the launcher have gone first, the JVM may not.
    if [[ -n $java ]] && kill -0 "$java" 2>/dev/null; then
        STOP_TIMEOUT=$patience stop_pid "$java" "Keycloak JVM"
    fi
    # The JVM removes the training's configuration once the cache is complete; if it is
    # still there the cache may be half written, and the next run trains anew.
    if [[ -n $aot && -e $aot.config ]]; then
        rm -f "$aot" "$aot.config"
    fi
    rm -f "$KC_STATE/keycloak.pid"
}

kc_status_line() { # -> prints one line, returns 1 when not healthy
    local pid java h="not answering" rc=1
    if ! pid=$(kc_pid); then
        printf 'keycloak    stopped\n'
        return 1
    fi
    java=$(kc_java_pid "$pid") || java=$pid
    IDP_PORT=$(kc_running_port "$pid")
    IDP_MANAGEMENT_PORT=$(proc_cmdline "$pid" | grep -o -- '--http-management-port=[0-9]*' | head -n 1 | cut -d= -f2)
    if kc_ready; then h="ready (realm $KC_REALM)"; rc=0; fi
    printf 'keycloak    pid %-7s http://127.0.0.1:%s (management :%s)  rss %s MB  %s %s\n' \
        "$java" "$IDP_PORT" "$IDP_MANAGEMENT_PORT" "$(rss_mb "$java")" "$KC_VERSION" "$h"
    return "$rc"
}

kc_env_text() { # the identity provider's part of deploy/.state/env
    cat <<EOF
export CROSSCHECK_IDP_URL=$IDP_URL
export CROSSCHECK_OIDC_ISSUER=$IDP_URL/realms/$KC_REALM
export CROSSCHECK_OIDC_AUDIENCE=$OIDC_AUDIENCE
export CROSSCHECK_IDP_CLIENT_ID=$IDP_CLIENT_ID
EOF
    if [[ -f $KC_SECRETS ]]; then
        printf 'export CROSSCHECK_IDP_CLIENT_SECRET=%s\n' "$(sed -n 's/^CROSSCHECK_IDP_CLIENT_SECRET=//p' "$KC_SECRETS")"
    fi
}

kc_admin_token() { # -> an access token of the bootstrap admin (master realm)
    curl -fsS --max-time 20 -d grant_type=password -d client_id=admin-cli \
        --data-urlencode "username=$KC_ADMIN" --data-urlencode "password=$KC_ADMIN_PASSWORD" \
        "$IDP_URL/realms/master/protocol/openid-connect/token" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

cmd_reimport_realm() { # replace the realm with the file's, through the admin REST API
    lock_state
    command -v curl >/dev/null 2>&1 || die "curl is needed for reimport-realm"
    local pid token code
    pid=$(kc_pid) || die "Keycloak is not running; 'deploy/stack up' first"
    IDP_PORT=$(kc_running_port "$pid")
    IDP_URL=http://127.0.0.1:$IDP_PORT
    kc_load_secrets
    token=$(kc_admin_token)
    [[ -n $token ]] || die "the bootstrap admin could not sign in to $IDP_URL"
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $token" \
        "$IDP_URL/admin/realms/$KC_REALM")
    [[ $code == 204 || $code == 404 ]] || die "deleting realm $KC_REALM answered HTTP $code"
    # The same substitution Keycloak makes at --import-realm; the secret is hex, safe in sed.
    code=$(sed "s/\${CROSSCHECK_IDP_CLIENT_SECRET}/$IDP_CLIENT_SECRET/g" "$KC_REALM_FILE" |
        curl -sS -o "$KC_STATE/reimport.out" -w '%{http_code}' -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' --data-binary @- "$IDP_URL/admin/realms")
    [[ $code == 201 ]] || { cat "$KC_STATE/reimport.out" >&2; die "importing $KC_REALM_FILE answered HTTP $code"; }
    sha256sum "$KC_REALM_FILE" | cut -d' ' -f1 >"$KC_REALM_STAMP"
    say "realm $KC_REALM replaced from deploy/${KC_REALM_FILE#"$DEPLOY_DIR"/} (users and sessions are gone)"
}
