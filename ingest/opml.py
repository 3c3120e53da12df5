"""OPML import and export: the feed lists every feed reader exchanges.

Import reads <outline xmlUrl="..."> at any depth; an outline's category
attribute, or else its parent (a folder in most readers), becomes the
category hint when it names one of Surge's categories. The parser resolves no
entities and loads nothing from the network."""

import xml.etree.ElementTree as ET

from lxml import etree

from ingest.category_hints import category_hint
from ingest.models import Feed


class NotOpml(ValueError):
    pass


def read_opml(data: bytes) -> list[dict]:
    """[{"url", "title", "category", "site"}] for every feed outline. A file
    that declares a DTD is refused: its entities could expand without bound
    (libxml2 then drops the document silently) or name local files."""
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, recover=True, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise NotOpml(f"not OPML: {exc}") from None
    if root is not None and root.getroottree().docinfo.internalDTD is not None:
        raise NotOpml(
            "not imported: the file declares a DTD (<!DOCTYPE opml [ ... ]>), and Surge reads no DTD "
            "or entities. Remove the DOCTYPE declaration and import the file again."
        )
    if root is None or not isinstance(root.tag, str) or root.tag.lower() != "opml":
        problem = next((e.message for e in parser.error_log if e.level_name == "FATAL"), "")
        raise NotOpml(f"not OPML: {problem}" if problem else "not OPML: no <opml> root element")
    feeds = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url:
            continue
        parent = outline.getparent()
        folder = (parent.get("text") or parent.get("title") or "") if parent.tag == "outline" else ""
        feeds.append(
            {
                "url": url,
                "title": (outline.get("title") or outline.get("text") or "").strip(),
                # One of Surge's categories, or "" (ingest/category_hints.py).
                "category": category_hint(outline.get("category") or folder),
                "site": (outline.get("htmlUrl") or "").strip(),
            }
        )
    return feeds


def write_opml(feeds=None, title: str = "Surge feeds") -> bytes:
    """OPML 2.0 of the feeds (all by default), grouped by outlet."""
    feeds = Feed.objects.select_related("source").order_by("source__name", "url") if feeds is None else feeds
    opml = ET.Element("opml", version="2.0")
    head = ET.SubElement(opml, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(opml, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        source = feed.source
        folder = folders.get(source.domain)
        if folder is None:
            folder = folders[source.domain] = ET.SubElement(
                body, "outline", text=source.name, title=source.name
            )
        attrs = {"type": "rss", "text": feed.title or source.name, "xmlUrl": feed.url}
        if source.homepage:
            attrs["htmlUrl"] = source.homepage
        if feed.category_hint:
            attrs["category"] = feed.category_hint
        ET.SubElement(folder, "outline", **attrs)
    ET.indent(opml)
    return ET.tostring(opml, encoding="utf-8", xml_declaration=True)
