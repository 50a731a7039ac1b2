"""The demo corpus: realistic report files written from figures (see `render`), so the tool can be
shown and tested end to end without shipping anyone's real reports."""
