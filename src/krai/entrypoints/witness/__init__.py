"""``krai witness serve``: the C2SP tlog-witness HTTP interface of a witness directory."""
