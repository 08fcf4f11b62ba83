"""edXML packages (QCVN 102:2016/BTTTT): the electronic document exchange format of the
Vietnamese administration (namespace http://www.mic.gov.vn/TBT/QCVN_102_2016).

Layout of a package::

    <edXML>
      <edXMLEnvelope>
        <edXMLHeader>
          <MessageHeader>
            <From><OrganId/><OrganName/>...</From>  <To>...</To> (one or more)
            <Code><CodeNumber/><CodeNotation/></Code>
            <PromulgationInfo><Place/><PromulgationDate/></PromulgationInfo>
            <DocumentType><Type/><TypeName/></DocumentType>
            <Subject/> <Content/>
            <SignerInfo><Competence/><Position/><FullName/></SignerInfo>
            <DueDate/> <OtherInfo><Priority/>...</OtherInfo> <ToPlaces><Place/>...</ToPlaces>
          </MessageHeader>
          <TraceHeaderList/> <Signature/>
        </edXMLHeader>
        <edXMLBody><edXMLManifest><Reference>...</Reference></edXMLManifest></edXMLBody>
      </edXMLEnvelope>
      <AttachmentEncoded>
        <Attachment><ContentId/><AttachmentName/><ContentType/><ContentTransferEncoded>base64</...></Attachment>
      </AttachmentEncoded>
    </edXML>

Namespaces vary between senders (prefixed, default, none), so elements are found by local
name. The XML is parsed with defusedxml: no entity expansion, no external entities, no DTD.
The header fields are taken exactly from the XML; the attachments are read with
readers.read_document for the body and the tasks.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
_PRIORITY = {"1": "Khẩn", "2": "Thượng khẩn", "3": "Hỏa tốc", "4": "Hỏa tốc hẹn giờ"}


@dataclass
class Attachment:
    """A file carried in the package."""

    name: str
    content_type: str | None
    data: bytes


@dataclass
class EdxmlPackage:
    """The header fields of the package, its attachments and the text read from them.

    ``problems`` names the attachments that could not be read and why; ``warnings`` holds what
    the clerk should check, in Vietnamese (those problems, and the warnings of the attachments
    that were read, e.g. characters that could not be decoded).
    """

    header: dict
    attachments: list[Attachment] = field(default_factory=list)
    text: str = ""
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def looks_like_edxml(data: bytes, filename: str = "") -> bool:
    """Whether the bytes are an edXML package (by name or by its namespace / root elements)."""
    head = data[:4096]
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return False
    return filename.lower().endswith(".edxml") or b"QCVN_102_2016" in head or b"edXMLEnvelope" in head \
        or b"<edXML" in head


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].split(":")[-1] if isinstance(tag, str) else ""


def _child(element, name: str):
    if element is None:
        return None
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _children(element, name: str) -> list:
    if element is None:
        return []
    return [child for child in element if _local(child.tag) == name]


def _find_first(element, name: str):
    if element is None:
        return None
    for node in element.iter():
        if _local(node.tag) == name:
            return node
    return None


def _text(element, *path: str) -> str | None:
    node = element
    for name in path:
        node = _child(node, name)
        if node is None:
            return None
    value = "".join(node.itertext()).strip() if node is not None else ""
    return value or None


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"^\s*(\d{4})[/-](\d{1,2})[/-](\d{1,2})", value)
    if m:
        y, mo, d = m.groups()
    else:
        m = re.match(r"^\s*(\d{1,2})[/-](\d{1,2})[/-](\d{4})", value)
        if not m:
            return None
        d, mo, y = m.groups()
    try:
        from datetime import date

        return date(int(y), int(mo), int(d)).isoformat()
    except ValueError:
        return None


def parse_edxml(data: bytes):
    """The root element of an edXML package, parsed safely (raises UnreadableDocument)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring
    from xml.etree.ElementTree import ParseError

    from tracker.extraction.readers import UnreadableDocument

    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise UnreadableDocument(
            "Tệp XML chứa khai báo DTD/thực thể không an toàn nên bị từ chối."
        ) from None
    except (ParseError, ValueError, TypeError):
        raise UnreadableDocument("Tệp edXML bị hỏng (XML không hợp lệ).") from None


def header_fields(root) -> dict:
    """Header fields of the letter from the MessageHeader, as written in the XML."""
    msg = _find_first(root, "MessageHeader")
    if msg is None:
        from tracker.extraction.readers import UnreadableDocument

        raise UnreadableDocument("Tệp edXML không có phần MessageHeader (thông tin văn bản).")
    header: dict = {}
    number = _text(msg, "Code", "CodeNumber")
    notation = _text(msg, "Code", "CodeNotation")
    if number and notation and "/" not in number:
        header["number"] = f"{number}/{notation.lstrip('/')}"
    elif number:
        header["number"] = number
    if notation:
        header["symbol"] = notation
    issuer = _text(msg, "From", "OrganName") or _text(msg, "From", "OrganizationInCharge")
    if issuer:
        header["issuer"] = issuer
    organ_id = _text(msg, "From", "OrganId")
    if organ_id:
        header["issuer_id"] = organ_id
    place = _text(msg, "PromulgationInfo", "Place")
    if place:
        header["place"] = place
    issued = _iso_date(_text(msg, "PromulgationInfo", "PromulgationDate"))
    if issued:
        header["issued_on"] = issued
    type_name = _text(msg, "DocumentType", "TypeName")
    if type_name:
        header["doc_type"] = type_name
    subject = _text(msg, "Subject") or _text(msg, "Content")
    if subject:
        header["subject"] = re.sub(r"^\s*(?:V/v|v/v|V/V)\s*[:.]?\s*", "", subject).strip()
    signer = _text(msg, "SignerInfo", "FullName")
    if signer:
        header["signer"] = signer
    competence = _text(msg, "SignerInfo", "Competence")
    position = _text(msg, "SignerInfo", "Position")
    titles = [t for t in (competence, position) if t]
    if titles:
        header["signer_title"] = " / ".join(titles)
    recipients = [name for to in _children(msg, "To")
                  for name in [_text(to, "OrganName") or _text(to, "OrganizationInCharge")] if name]
    if recipients:
        header["recipients"] = recipients
    places = [(_text(p) or "") for p in _children(_child(msg, "ToPlaces"), "Place")]
    places = [p for p in places if p]
    if places:
        header["copies_to"] = places
    due = _iso_date(_text(msg, "DueDate"))
    if due:
        header["due_date"] = due
    priority = _text(msg, "OtherInfo", "Priority")
    if priority in _PRIORITY:
        header["urgency"] = _PRIORITY[priority]
    return header


def attachments(root) -> list[Attachment]:
    """Decoded attachments (a zipped attachment is unpacked unless it is itself a .docx).

    Zipped attachments are checked with :mod:`tracker.extraction.archives`, all of them before
    any is unpacked, within one total of inflated bytes for the package: archives that add up to
    a bomb are refused (readers.UnreadableDocument) while only the package is in memory.
    """
    from tracker.extraction import archives

    decoded: list[Attachment] = []
    for node in root.iter():
        if _local(node.tag) != "Attachment":
            continue
        encoded = _text(node, "ContentTransferEncoded")
        if not encoded:
            continue
        name = _text(node, "AttachmentName") or _text(node, "Description") or "attachment"
        content_type = _text(node, "ContentType")
        try:
            data = base64.b64decode(re.sub(r"\s+", "", encoded), validate=False)
        except (binascii.Error, ValueError):
            continue
        decoded.append(Attachment(name, content_type, data))
    found: list[Attachment] = []
    with archives.upload_budget():
        plans = [(att, _zip_plan(att.data)) for att in decoded]
        for att, plan in plans:
            if plan is not None:
                archive, limits, members = plan
                try:
                    archives.check_members(att.data, members, limits)
                except archives.DamagedArchive:
                    pass  # reported when the attachment is read
        for att, plan in plans:
            found.extend(_unpack(att, plan))
    return found


def _zip_plan(data: bytes):
    """(archive, limits, members to read) of a zipped attachment, or None when it is not one
    that can be opened (read_document then says what is wrong with it)."""
    from tracker.extraction import archives

    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        archive = archives.open_zip(data)
    except archives.DamagedArchive:
        return None
    if "word/document.xml" in archive.namelist():
        # a .docx: checked now with the limits read_docx will apply, so that it is not charged twice
        return archive, archives.DOCX_LIMITS, archive.infolist()
    limit = archives.LIMITS.max_member_bytes
    # Folders and password-protected members are skipped, as are members that declare more than
    # the limit (skipping costs nothing; a member that lies is caught while inflating).
    members = [info for info in archive.infolist()
               if not info.is_dir() and not info.flag_bits & 0x1 and info.file_size <= limit]
    return archive, archives.LIMITS, members


def _unpack(att: Attachment, plan) -> list[Attachment]:
    """The members of a zipped attachment (already checked), or the attachment itself."""
    from tracker.extraction import archives

    if plan is None:
        return [att]
    archive, limits, members = plan
    if limits is archives.DOCX_LIMITS:
        return [att]  # a .docx is read whole by read_docx
    try:
        body = archives.read_members(att.data, limits, archive=archive, members=members)
    except archives.DamagedArchive:
        return [att]
    return [Attachment(info.filename, None, data) for info, data in body]


def read_edxml(data: bytes) -> EdxmlPackage:
    """Read an edXML package: header fields from the XML, text from its readable attachments.

    Raises readers.UnreadableDocument when the package is not edXML or when an attachment is a
    decompression bomb; an attachment that cannot be read otherwise is listed in ``problems``.
    """
    from tracker.extraction import archives
    from tracker.extraction.readers import UnreadableDocument, read_document

    root = parse_edxml(data)
    if _local(root.tag) not in {"edXML", "edXMLEnvelope"} and _find_first(root, "edXMLEnvelope") is None:
        raise UnreadableDocument("Tệp XML không phải gói văn bản điện tử edXML (QCVN 102:2016/BTTTT).")
    with archives.upload_budget():  # the attachments and what they carry share one total
        package = EdxmlPackage(header=header_fields(root), attachments=attachments(root))
        texts = []
        for att in package.attachments:
            if looks_like_edxml(att.data, att.name):
                continue  # a nested package (status messages) carries no letter text
            found: list[str] = []
            try:
                texts.append(read_document(att.data, att.name, require_letter=False, warnings=found))
            except archives.SuspiciousArchive:
                raise  # a bomb in the package: refuse the whole package, do not register it
            except UnreadableDocument as exc:
                package.problems.append(f"{att.name}: {exc.message}")
                package.warnings.append(f"Tệp đính kèm «{att.name}» không đọc được: {exc.message}")
            package.warnings.extend(f"Tệp đính kèm «{att.name}»: {warning}" for warning in found)
    package.text = "\n\n".join(t for t in texts if t.strip())
    return package


_XML_WINS = ("number", "doc_type", "issuer", "place", "issued_on", "subject", "signer", "signer_title",
             "recipients", "urgency")


def apply_header(result: dict, header: dict) -> dict:
    """Put the XML header fields over an extraction made from the attachment text."""
    for key in _XML_WINS:
        if header.get(key):
            result[key] = header[key]
    for key in ("due_date", "issuer_id", "copies_to"):
        if header.get(key) and not result.get(key):
            result[key] = header[key]
    return result
