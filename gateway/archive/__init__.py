"""Publishing data.police.uk archive files: import, archive tables, and the publish call."""
