"""UI text of the inspect part, in English and Vietnamese (merged into cnnviz.ui.catalog)."""

EN: dict[str, str] = {
}

VI: dict[str, str] = {
}
