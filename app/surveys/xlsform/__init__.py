"""XLSForm in and out (issue 20): `reading` turns a form into a survey file, `writing` a survey into a
form; `xpath` parses the XPath subset that `conditions` and `constraints` translate both ways."""
