# Passerelle's front cache: Varnish from Debian's package, no extra vmod.
#
# - Anonymous GET/HEAD of public pages are cached as the application says
#   (Cache-Control: public, max-age=0, s-maxage=N); everything else is passed.
# - A request carrying a session (sessionid) or a pending message (messages) is passed:
#   a signed-in person never gets a cached page, never someone else's.
# - Every other cookie (csrftoken, tracking cookies such as _ga, _pk_*) is removed before lookup.
# - PURGE <url> (one URL, Wagtail's frontend cache backend) and BAN with X-Ban-Tags: <regex>
#   (pages tagged by the application's X-Cache-Tags) only from the "purgers" ACL and never
#   through the reverse proxy (nginx adds X-Forwarded-For and refuses PURGE/BAN; the
#   application talks to Varnish directly). X-Cache-Tags is kept on the object for bans and removed before delivery.
#
# Start: varnishd -a 127.0.0.1:6081 -f /etc/varnish/passerelle.vcl -s malloc,256m
# (the backend address below is the gunicorn of deploy/gunicorn.service).
#
# Several app servers: one backend per server (app1, app2, ...), each added to the round-robin
# director in vcl_init, and each server's address in the "purgers" ACL, since every app server
# sends its own PURGE and BAN (FRONTEND_CACHE_URL: an address of this Varnish that server
# reaches, so "-a" must listen on it too). tests/ops/test_two_servers.py runs two of them.
vcl 4.1;

import directors;

# Each app server's /sante/ every 2 s: a server failing 2 of its last 3 probes (stopped, or its
# database, cache, search or media storage failing) gets no request until it passes again.
# The Host must be one of DJANGO_ALLOWED_HOSTS (nginx's server_name): with any other, every
# probe gets 400, every backend is sick and only cached pages are served.
probe health {
    .request =
        "GET /sante/ HTTP/1.1"
        "Host: passerelle.example.fr"
        "User-Agent: Varnish-probe"
        "Connection: close";
    .interval = 2s;
    .timeout = 5s;  # a busy server is slow, not sick: only a refusal or 5 s without answer fail
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

backend app1 {
    .host = "127.0.0.1";
    .port = "8001";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .probe = health;
}

sub vcl_init {
    new app = directors.round_robin();
    app.add_backend(app1);
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    set req.backend_hint = app.backend();
    if (req.method == "PURGE" || req.method == "BAN") {
        # Varnish appends client.ip to X-Forwarded-For before vcl_recv: a list means the
        # request came through the reverse proxy (which also refuses these methods itself).
        if (client.ip !~ purgers || req.http.X-Forwarded-For ~ ",") {
            return (synth(403, "Forbidden"));
        }
        if (req.method == "PURGE") {
            return (purge);
        }
        if (!req.http.X-Ban-Tags) {
            return (synth(400, "X-Ban-Tags required"));
        }
        ban("obj.http.X-Cache-Tags ~ " + req.http.X-Ban-Tags);
        return (synth(200, "Banned"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Personal by path, whatever the cookies (the application says private, no-store too).
    if (req.url ~ "^/(admin|django-admin|compte|csrf)(/|$)") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;)\s*(sessionid|messages)=") {
        return (pass);
    }
    # Anonymous: no cookie matters to a public page (tracking cookies, csrftoken).
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Kept on the object (bans test obj.* only, so the ban lurker can evict in the background).
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control !~ "public") {
        # Never store a response that sets a cookie or is not public (hit-for-miss).
        set beresp.uncacheable = true;
        set beresp.ttl = 30s;
        return (deliver);
    }
    # s-maxage is honoured by Varnish itself; a short grace hides a slow backend, not a purge
    # (a banned object is gone, grace or not).
    set beresp.grace = 10s;
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.X-Cache-Tags;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}

sub vcl_synth {
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.body = resp.reason;
    return (deliver);
}
