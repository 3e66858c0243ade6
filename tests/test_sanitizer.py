import pytest

from passerelle.sanitizer import render_markdown, sanitize_html, strip_tags

HOSTILE_LINKS = [
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x61;script:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
]


@pytest.mark.parametrize("html", HOSTILE_LINKS)
def test_dangerous_link_schemes_lose_their_href(html):
    cleaned = sanitize_html(html)
    assert "href" not in cleaned
    assert ">x</a>" in cleaned


def test_script_and_style_are_removed_with_their_content():
    cleaned = sanitize_html("<p>avant</p><script>alert('x')</script><style>p{}</style><p>après</p>")
    assert cleaned == "<p>avant</p><p>après</p>"


@pytest.mark.parametrize(
    "html",
    [
        '<img src="x.png" onerror="alert(1)">',
        '<p onclick="alert(1)" onmouseover="alert(2)">texte</p>',
        '<a href="/ok" ONFOCUS="alert(1)">lien</a>',
        '<svg onload="alert(1)"><circle /></svg>',
    ],
)
def test_event_handler_attributes_are_removed(html):
    cleaned = sanitize_html(html).lower()
    assert "on" not in cleaned.replace("noopener", "").replace("nofollow", "")
    assert "alert" not in cleaned


@pytest.mark.parametrize(
    "html",
    [
        '<iframe src="https://evil.example/"></iframe>',
        '<object data="x.swf"></object>',
        '<embed src="x.swf">',
        '<form action="/x"><input name="a"></form>',
    ],
)
def test_frames_objects_and_forms_are_removed(html):
    cleaned = sanitize_html(html)
    for tag in ("iframe", "object", "embed", "form", "input"):
        assert f"<{tag}" not in cleaned


def test_allowed_markup_and_safe_links_are_kept():
    html = (
        '<p><strong>Important</strong> : voir <a href="https://www.cnil.fr/">la CNIL</a>, '
        '<a href="/guides/">les guides</a> ou <a href="mailto:dpo@univ.fr">le DPO</a>.</p>'
    )
    cleaned = sanitize_html(html)
    assert "<strong>Important</strong>" in cleaned
    assert 'href="https://www.cnil.fr/"' in cleaned
    assert 'href="/guides/"' in cleaned
    assert 'href="mailto:dpo@univ.fr"' in cleaned
    assert 'rel="noopener noreferrer nofollow ugc"' in cleaned


def test_strip_tags_keeps_text_only():
    assert strip_tags("<b>Alerte</b> <script>x()</script>VPN") == "Alerte VPN"


def test_markdown_renders_formatting_and_escapes_raw_html():
    html = render_markdown("**gras** et *italique*\n\n<script>alert(1)</script>\n\n- un\n- deux")
    assert "<strong>gras</strong>" in html
    assert "<em>italique</em>" in html
    assert "<li>un</li>" in html
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_markdown_links_with_javascript_are_neutralised():
    html = render_markdown("[clic](javascript:alert(1)) [ok](https://renater.fr)")
    assert "javascript" not in html.lower()
    assert 'href="https://renater.fr"' in html


def test_machina_uses_our_renderer():
    from machina.conf import settings as machina_settings

    assert machina_settings.MARKUP_LANGUAGE[0] == "passerelle.sanitizer.render_markdown"
