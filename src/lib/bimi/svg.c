/* SPDX-License-Identifier: MIT */
/*
 * bimi/svg.c - the SVG Tiny Portable/Secure profile checker for BIMI
 * indicators, and the finding helpers the module shares.
 *
 * The BIMI Group's SVG Tiny PS profile is SVG Tiny 1.2 cut down for
 * safety: root <svg> in the SVG namespace with version="1.2" and
 * baseProfile="tiny-ps", no x/y on the root, a <title>, no script, no
 * animation, no raster or external images, no references outside the
 * document. We check these as our own rules over the libxml2 tree, plus an
 * allow-list of the 24 elements and the attributes of the profile (taken
 * from the RELAX NG conversion Mail::BIMI ships; the tests compare the two
 * on every case, tests/conformance/bimi-differences.txt lists where and
 * why we differ).
 *
 * Hostile input: the file is capped at VOUCH_BIMI_SVG_MAX before parsing;
 * a NUL byte (UTF-16, binary) or an entity declaration is refused before
 * libxml2 sees it, so no entity can expand ("billion laughs"); libxml2 runs
 * with no network, no DTD loading, no entity substitution, its default
 * (non-HUGE) limits, UTF-8 forced; our walk stops descending at
 * VOUCH_BIMI_SVG_DEPTH_MAX.
 *
 * libxml2 is loaded on the first check (dlopen), not linked: with ICU and
 * libstdc++ behind it, it would cost every vouch process about 2.7 MiB
 * at start, even one that never sees a logo. The function table is
 * written once under pthread_once and only read afterwards.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "bimi_internal.h"

/* The libxml2 functions we call, looked up when it is loaded. */
typedef struct xml_api {
    void (*init_parser)(void);
    xmlParserCtxtPtr (*new_parser_ctxt)(void);
    xmlDocPtr (*ctxt_read_memory)(xmlParserCtxtPtr c, const char *buf, int size,
                                  const char *url, const char *encoding,
                                  int options);
    const xmlError *(*ctxt_get_last_error)(void *c);
    xmlNodePtr (*doc_get_root_element)(const xmlDoc *doc);
    void (*free_doc)(xmlDocPtr doc);
    void (*free_parser_ctxt)(xmlParserCtxtPtr c);
    long (*get_line_no)(const xmlNode *n);
    xmlChar *(*get_no_ns_prop)(const xmlNode *n, const xmlChar *name);
    xmlChar *(*node_get_content)(const xmlNode *n);
    xmlFreeFunc *free; /* the library's xmlFree variable */
} xml_api_t;

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static bool xml_ok;
static xml_api_t xml;

#define SYM(field, name)                                                       \
    {                                                                          \
        name, (void **)&xml.field                                              \
    }

static void
xml_init(void)
{
    const vouch__dl_sym_t syms[] = {
        SYM(init_parser, "xmlInitParser"),
        SYM(new_parser_ctxt, "xmlNewParserCtxt"),
        SYM(ctxt_read_memory, "xmlCtxtReadMemory"),
        SYM(ctxt_get_last_error, "xmlCtxtGetLastError"),
        SYM(doc_get_root_element, "xmlDocGetRootElement"),
        SYM(free_doc, "xmlFreeDoc"),
        SYM(free_parser_ctxt, "xmlFreeParserCtxt"),
        SYM(get_line_no, "xmlGetLineNo"),
        SYM(get_no_ns_prop, "xmlGetNoNsProp"),
        SYM(node_get_content, "xmlNodeGetContent"),
        SYM(free, "xmlFree"),
    };

    if (vouch__dl_load(VOUCH_LIBXML2_SONAME, syms, VOUCH_ARRAY_LEN(syms))) {
        /* libxml2 2.9's xmlInitParser() is not safe to race: once per
         * process, here */
        xml.init_parser();
        xml_ok = true;
    }
}

static void
xml_free(void *p)
{
    if (p != NULL) {
        (*xml.free)(p);
    }
}

#define SVG_NS   "http://www.w3.org/2000/svg"
#define XLINK_NS "http://www.w3.org/1999/xlink"
#define XML_NS   "http://www.w3.org/XML/1998/namespace"

const char *
vouch_bimi_code_name(vouch_bimi_code_t c)
{
    static const char *const names[] = {
        "svg-too-big",        "svg-not-xml",   "svg-doctype",
        "svg-not-svg",        "svg-version",   "svg-base-profile",
        "svg-root-xy",        "svg-no-title",  "svg-script",
        "svg-foreign-object", "svg-animation", "svg-image",
        "svg-external-ref",   "svg-element",   "svg-attribute",
        "svg-too-deep",       "vmc-pem",       "vmc-chain",
        "vmc-validity",       "vmc-eku",       "vmc-domain",
        "vmc-logotype",       "vmc-logo-hash", "vmc-svg-mismatch",
    };

    return (unsigned)c < VOUCH_ARRAY_LEN(names) ? names[c] : "unknown";
}

/* see bimi_internal.h */
void
vouch__bimi_add(vouch_bimi_findings_t *fs, vouch_bimi_code_t code,
                unsigned line, const char *fmt, ...)
{
    vouch_bimi_finding_t *f;
    va_list ap;

    if (fs->n == VOUCH_BIMI_FINDINGS_MAX) {
        fs->dropped++;
        return;
    }
    f = &fs->f[fs->n++];
    f->code = code;
    f->line = line;
    va_start(ap, fmt);
    (void)vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
    va_end(ap);
}

/* see bimi_internal.h */
bool
vouch__bimi_sha256(uint8_t out[32], const void *p, size_t len)
{
    unsigned int n = 0;

    return EVP_Digest(p, len, out, &n, EVP_sha256(), NULL) == 1 && n == 32;
}

/* ---- the allow-lists ------------------------------------------------------
 */

/* The 24 elements of SVG Tiny PS (SVG_1.2_PS.rng). */
static const char *const allowed_elements[] = {
    "circle",         "defs",     "desc",       "ellipse", "font",
    "font-face",      "g",        "glyph",      "hkern",   "line",
    "linearGradient", "metadata", "path",       "polygon", "polyline",
    "radialGradient", "rect",     "solidColor", "stop",    "svg",
    "text",           "textArea", "title",      "use",
};

/* Attributes without a namespace that some element of the profile
 * accepts (the union over SVG_1.2_PS.rng; we do not check which element
 * takes which). */
static const char *const allowed_attributes[] = {
    "about",
    "accented-height",
    "alphabetic",
    "arabic-form",
    "ascent",
    "baseProfile",
    "bbox",
    "buffered-rendering",
    "cap-height",
    "class",
    "color",
    "color-rendering",
    "content",
    "contentScriptType",
    "cx",
    "cy",
    "d",
    "datatype",
    "descent",
    "direction",
    "display",
    "display-align",
    "editable",
    "externalResourcesRequired",
    "fill",
    "fill-opacity",
    "fill-rule",
    "focusable",
    "font-family",
    "font-size",
    "font-stretch",
    "font-style",
    "font-variant",
    "font-weight",
    "g1",
    "g2",
    "glyph-name",
    "gradientUnits",
    "hanging",
    "height",
    "horiz-adv-x",
    "horiz-origin",
    "href",
    "id",
    "ideographic",
    "image-rendering",
    "k",
    "lang",
    "line-increment",
    "mathematical",
    "offset",
    "overline-position",
    "overline-thickness",
    "panose-1",
    "pathLength",
    "playbackOrder",
    "points",
    "preserveAspectRatio",
    "property",
    "r",
    "rel",
    "requiredFonts",
    "resource",
    "rev",
    "role",
    "rotate",
    "rx",
    "ry",
    "shape-rendering",
    "slope",
    "snapshotTime",
    "solid-color",
    "solid-opacity",
    "stemh",
    "stemv",
    "stop-color",
    "stop-opacity",
    "strikethrough-position",
    "strikethrough-thickness",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "systemLanguage",
    "text-align",
    "text-anchor",
    "text-rendering",
    "timelineBegin",
    "transform",
    "typeof",
    "u1",
    "u2",
    "underline-position",
    "underline-thickness",
    "unicode",
    "unicode-bidi",
    "unicode-range",
    "units-per-em",
    "vector-effect",
    "version",
    "viewBox",
    "viewport-fill",
    "viewport-fill-opacity",
    "visibility",
    "width",
    "widths",
    "x",
    "x-height",
    "x1",
    "x2",
    "y",
    "y1",
    "y2",
    "zoomAndPan",
};

/* xml:* attributes of the profile. */
static const char *const allowed_xml_attributes[] = { "base", "id", "lang",
                                                      "space" };

/* xlink:* attributes we accept: the profile means to allow internal
 * references through xlink:href (the RNG conversion only has an
 * unprefixed href; see bimi-differences.txt). */
static const char *const allowed_xlink_attributes[] = { "href", "title" };

static bool
in_list(const char *const *list, size_t n, const xmlChar *name)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(list[i], (const char *)name) == 0) {
            return true;
        }
    }
    return false;
}

static bool
ieq(const xmlChar *a, const char *b)
{
    size_t n = strlen((const char *)a);

    return vouch__str_ieq((const char *)a, n, b, strlen(b));
}

/* ---- the walk -------------------------------------------------------------
 */

typedef struct walk {
    vouch_bimi_findings_t *fs;
    bool too_deep_said;
} walk_t;

static unsigned
line_of(const xmlNode *n)
{
    long l = xml.get_line_no(n);

    return l > 0 && l < (long)UINT32_MAX ? (unsigned)l : 0;
}

static void
esc(char *out, size_t cap, const xmlChar *s)
{
    vouch__escape_into(out, cap, (const char *)s, strlen((const char *)s));
}

/* Is v a reference to something outside this document? Local references
 * are "#fragment" (after optional whitespace). */
static bool
external_ref(const xmlChar *v)
{
    const char *p = (const char *)v;

    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
        p++;
    }
    return *p != '#';
}

/* Does a presentation value use url(...) with a non-local target? */
static bool
external_url(const xmlChar *v)
{
    const char *p = (const char *)v;
    size_t n = strlen(p), i;

    for (i = 0; i + 4 <= n; i++) {
        if (vouch__str_iprefix(p + i, n - i, "url(")) {
            const char *q = p + i + 4;

            while (*q == ' ' || *q == '\'' || *q == '"') {
                q++;
            }
            if (*q != '#') {
                return true;
            }
        }
    }
    return false;
}

static void
check_attributes(walk_t *w, const xmlNode *n, bool root)
{
    const xmlAttr *a;
    char name[48], val[64];

    for (a = n->properties; a != NULL; a = a->next) {
        const char *ns = a->ns ? (const char *)a->ns->href : NULL;
        xmlChar *v = xml.node_get_content((const xmlNode *)a);
        const xmlChar *value = v ? v : (const xmlChar *)"";
        unsigned line = line_of(n);

        esc(name, sizeof(name), a->name);
        esc(val, sizeof(val), value);
        if (root && ns == NULL &&
            (strcmp((const char *)a->name, "x") == 0 ||
             strcmp((const char *)a->name, "y") == 0)) {
            vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_ROOT_XY, line,
                            "%s= on the root svg", name);
        } else if (ns == NULL && (a->name[0] == 'o' || a->name[0] == 'O') &&
                   (a->name[1] == 'n' || a->name[1] == 'N')) {
            vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_SCRIPT, line,
                            "event handler %s=", name);
        } else if (ns == NULL
                       ? !in_list(allowed_attributes,
                                  VOUCH_ARRAY_LEN(allowed_attributes), a->name)
                   : strcmp(ns, XML_NS) == 0
                       ? !in_list(allowed_xml_attributes,
                                  VOUCH_ARRAY_LEN(allowed_xml_attributes),
                                  a->name)
                       : strcmp(ns, XLINK_NS) != 0 ||
                             !in_list(allowed_xlink_attributes,
                                      VOUCH_ARRAY_LEN(allowed_xlink_attributes),
                                      a->name)) {
            vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_ATTRIBUTE, line,
                            "attribute %s%s not in SVG Tiny PS on <%.40s>",
                            ns && strcmp(ns, XLINK_NS) == 0 ? "xlink:" : "",
                            name, (const char *)n->name);
        }
        if (strcmp((const char *)a->name, "href") == 0 &&
            (ns == NULL || strcmp(ns, XLINK_NS) == 0) && external_ref(value)) {
            vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_EXTERNAL_REF, line,
                            "reference to \"%s\"", val);
        } else if (external_url(value)) {
            vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_EXTERNAL_REF, line,
                            "%s=\"%s\" refers outside the document", name, val);
        }
        xml_free(v);
    }
}

/* Classify one element; returns false when its subtree is not walked
 * (foreign or forbidden content is reported once, at its top). */
static bool
check_element(walk_t *w, const xmlNode *n)
{
    const xmlChar *nm = n->name;
    unsigned line = line_of(n);
    char name[48];

    esc(name, sizeof(name), nm);
    if (n->ns == NULL || strcmp((const char *)n->ns->href, SVG_NS) != 0) {
        vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_ELEMENT, line,
                        "<%s> is not in the SVG namespace", name);
        return false;
    }
    if (ieq(nm, "script") || ieq(nm, "handler") || ieq(nm, "listener")) {
        vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_SCRIPT, line, "<%s>", name);
        return false;
    }
    if (ieq(nm, "foreignObject")) {
        vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_FOREIGN_OBJECT, line, "<%s>",
                        name);
        return false;
    }
    if (vouch__str_iprefix((const char *)nm, strlen((const char *)nm),
                           "animate") ||
        ieq(nm, "set") || ieq(nm, "discard")) {
        vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_ANIMATION, line, "<%s>", name);
        return false;
    }
    if (ieq(nm, "image")) {
        vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_IMAGE, line, "<%s>", name);
        check_attributes(w, n, false);
        return false;
    }
    if (!in_list(allowed_elements, VOUCH_ARRAY_LEN(allowed_elements), nm)) {
        vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_ELEMENT, line,
                        "<%s> is not in SVG Tiny PS", name);
        return false;
    }
    return true;
}

static void
walk_children(walk_t *w, const xmlNode *parent, unsigned depth)
{
    const xmlNode *n;

    for (n = parent->children; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (depth >= VOUCH_BIMI_SVG_DEPTH_MAX) {
            if (!w->too_deep_said) {
                w->too_deep_said = true;
                vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_TOO_DEEP, line_of(n),
                                "elements nested over %u deep",
                                VOUCH_BIMI_SVG_DEPTH_MAX);
            }
            return;
        }
        if (check_element(w, n)) {
            check_attributes(w, n, false);
            walk_children(w, n, depth + 1);
        }
    }
}

static void
check_root(walk_t *w, const xmlNode *root)
{
    const xmlNode *n;
    xmlChar *v;
    bool title = false;
    unsigned line = line_of(root);

    if (root->ns == NULL || strcmp((const char *)root->ns->href, SVG_NS) != 0 ||
        strcmp((const char *)root->name, "svg") != 0) {
        char name[48];

        esc(name, sizeof(name), root->name);
        vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_NOT_SVG, line,
                        "root element <%s> is not svg in the SVG namespace",
                        name);
        return;
    }
    v = xml.get_no_ns_prop(root, (const xmlChar *)"version");
    if (v == NULL || strcmp((const char *)v, "1.2") != 0) {
        char val[32];

        esc(val, sizeof(val), v ? v : (const xmlChar *)"(absent)");
        vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_VERSION, line,
                        "version is %s, not 1.2", val);
    }
    xml_free(v);
    v = xml.get_no_ns_prop(root, (const xmlChar *)"baseProfile");
    if (v == NULL || strcmp((const char *)v, "tiny-ps") != 0) {
        char val[32];

        esc(val, sizeof(val), v ? v : (const xmlChar *)"(absent)");
        vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_BASE_PROFILE, line,
                        "baseProfile is %s, not tiny-ps", val);
    }
    xml_free(v);
    for (n = root->children; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
            strcmp((const char *)n->ns->href, SVG_NS) == 0 &&
            strcmp((const char *)n->name, "title") == 0) {
            title = true;
        }
    }
    if (!title) {
        vouch__bimi_add(w->fs, VOUCH_BIMI_SVG_NO_TITLE, line,
                        "no <title> child of the root");
    }
    check_attributes(w, root, true);
    walk_children(w, root, 1);
}

/* Refuse what must never reach the parser: NUL bytes (a UTF-16 or binary
 * file, which would also hide markup from the scan) and entity
 * declarations. Returns true when the text may be parsed. */
static bool
prescan(vouch_bimi_findings_t *fs, const char *p, size_t len)
{
    static const char ent[] = "<!ENTITY";
    size_t i, line = 1;

    for (i = 0; i < len; i++) {
        if (p[i] == '\n') {
            line++;
        } else if (p[i] == '\0') {
            vouch__bimi_add(fs, VOUCH_BIMI_SVG_NOT_XML, (unsigned)line,
                            "NUL byte at offset %zu (not UTF-8 text)", i);
            return false;
        } else if (p[i] == '<' && len - i >= sizeof(ent) - 1 &&
                   memcmp(p + i, ent, sizeof(ent) - 1) == 0) {
            vouch__bimi_add(fs, VOUCH_BIMI_SVG_DOCTYPE, (unsigned)line,
                            "entity declaration: refused, not parsed");
            return false;
        }
    }
    return true;
}

/* see vouch/bimi.h */
int
vouch_bimi_svg_check(vouch_bimi_svg_result_t *out, const vouch_ctx_t *ctx,
                     const char *svg, size_t len, vouch_error_t *err)
{
    xmlParserCtxtPtr pctx = NULL;
    xmlDocPtr doc = NULL;
    walk_t w;
    int rc = 0;

    if (out == NULL || ctx == NULL || (svg == NULL && len > 0)) {
        return vouch__error(err, VOUCH_EINVAL, "bimi", 0, "NULL argument");
    }
    memset(out, 0, sizeof(*out));
    w.fs = &out->findings;
    w.too_deep_said = false;
    if (!vouch__bimi_sha256(out->sha256, svg ? svg : "", len)) {
        return vouch__error(err, VOUCH_EINTERNAL, "bimi", 0, "SHA-256 failed");
    }
    if (len > VOUCH_BIMI_SVG_MAX) {
        vouch__bimi_add(w.fs, VOUCH_BIMI_SVG_TOO_BIG, 0,
                        "%zu bytes, over the %u-byte cap", len,
                        VOUCH_BIMI_SVG_MAX);
        goto out;
    }
    if (len == 0) {
        vouch__bimi_add(w.fs, VOUCH_BIMI_SVG_NOT_XML, 0, "empty file");
        goto out;
    }
    if (!prescan(w.fs, svg, len)) {
        goto out;
    }
    /* load and initialise libxml2 once per process (a once-control and a
     * table written under it, not mutable state of ours) */
    (void)pthread_once(&xml_once, xml_init);
    if (!xml_ok) {
        rc = vouch__error(err, VOUCH_EINTERNAL, "bimi", 0,
                          VOUCH_LIBXML2_SONAME " cannot be loaded");
        goto out;
    }
    pctx = xml.new_parser_ctxt();
    if (pctx == NULL) {
        rc = vouch__error(err, VOUCH_ENOMEM, "bimi", 0, "libxml2 context");
        goto out;
    }
    /* No NOENT (no substitution), no DTDLOAD/DTDATTR/DTDVALID, no HUGE,
     * no XInclude; NONET in case anything would still reach out. */
    doc = xml.ctxt_read_memory(pctx, svg, (int)len, NULL, "UTF-8",
                               XML_PARSE_NONET | XML_PARSE_NOERROR |
                                   XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC |
                                   XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
    if (doc == NULL || !pctx->wellFormed) {
        const xmlError *e = xml.ctxt_get_last_error(pctx);
        char msg[80];

        if (e != NULL && e->message != NULL) {
            vouch__escape_into(msg, sizeof(msg), e->message,
                               strcspn(e->message, "\n"));
        } else {
            msg[0] = '\0';
        }
        vouch__bimi_add(w.fs, VOUCH_BIMI_SVG_NOT_XML,
                        e != NULL && e->line > 0 ? (unsigned)e->line : 0,
                        "not well-formed XML: %s", msg);
        goto out;
    }
    if (xml.doc_get_root_element(doc) == NULL) {
        vouch__bimi_add(w.fs, VOUCH_BIMI_SVG_NOT_XML, 0, "no root element");
        goto out;
    }
    check_root(&w, xml.doc_get_root_element(doc));
out:
    if (doc != NULL) {
        xml.free_doc(doc);
    }
    if (pctx != NULL) {
        xml.free_parser_ctxt(pctx);
    }
    out->ok = rc == 0 && out->findings.n == 0;
    return rc;
}
