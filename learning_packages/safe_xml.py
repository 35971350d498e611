"""Parse a descriptor without ever touching the network or expanding an entity.

Packages never need a DTD: a manifest that declares entities is refused outright, which closes
XXE (external entities) and billion-laughs (nested internal entities) in one check.
"""

from __future__ import annotations

from lxml import etree

from .errors import N_, PackageRefused

MAX_DESCRIPTOR_BYTES = 16 * 1024 * 1024
ENTITIES_REFUSED = N_(
    "declares XML entities in a DOCTYPE; packages never need them and they are not accepted "
    "(they can read server files or expand without end)"
)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, file: str) -> etree._Element:
    """The root element; PackageRefused with line and column when the XML is not well-formed."""
    if len(data) > MAX_DESCRIPTOR_BYTES:
        raise PackageRefused(
            "descriptor_too_large",
            N_("is %(size)s bytes; a descriptor over %(limit)s bytes is not accepted"),
            file,
            size=len(data),
            limit=MAX_DESCRIPTOR_BYTES,
        )
    if not data.strip():
        raise PackageRefused("bad_xml", N_("is empty"), file)
    doctype = data.find(b"<!DOCTYPE")
    if doctype >= 0 and data.find(b"<!ENTITY", doctype) >= 0:
        raise PackageRefused("xml_entities", ENTITIES_REFUSED, file)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, None)
        raise PackageRefused(
            "bad_xml", N_("is not well-formed XML: %(error)s"), file, line, column, error=exc.msg
        ) from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise PackageRefused("xml_entities", ENTITIES_REFUSED, file)
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise PackageRefused(
            "xml_entities", N_("uses XML entity references, which are not accepted"), file
        )
    return root


def local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(element: etree._Element) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def children(
    element: etree._Element, name: str, ns_part: str | None = None
) -> list[etree._Element]:
    """Child elements by local name; ``ns_part`` narrows to namespaces containing it ("imsss")."""
    return [
        child
        for child in element
        if local(child) == name and (ns_part is None or ns_part in namespace(child))
    ]


def child(element: etree._Element, name: str, ns_part: str | None = None) -> etree._Element | None:
    found = children(element, name, ns_part)
    return found[0] if found else None


def attr(element: etree._Element, *names: str) -> str | None:
    """An attribute by local name, any namespace, ignoring case (``scormtype`` / ``scormType``)."""
    wanted = {n.lower() for n in names}
    for key, value in element.attrib.items():
        if str(key).rsplit("}", 1)[-1].lower() in wanted:
            return str(value)
    return None


def text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
