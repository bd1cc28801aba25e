"""Reports rendered for people: the payments audit as HTML and as an XLSX workbook."""
