"""Reading official letters: plain Python, no Flask, no database.

Modules:
- ``text``      normalisation of scanned or copied text (NFC, OCR noise, legacy TCVN3/VNI fonts)
- ``readers``   .txt, .docx, .pdf and edXML files to text (``read_document``)
- ``header``    number, type, issuer, place and date, subject, recipients, signer, stamps, references
- ``names``     agency names: abbreviations written out, folding for comparison
- ``deadlines`` dates and periods in the text that set a deadline
- ``tasks``     who must do what: agency, lead or cooperating role, summary, deadline
- ``letter``    the whole letter, cover and enclosed, as the JSON of ``tracker extract``
"""
