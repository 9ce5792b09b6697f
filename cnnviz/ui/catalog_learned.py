"""UI text of the learned part, in English and Vietnamese (merged into cnnviz.ui.catalog)."""

EN: dict[str, str] = {
}

VI: dict[str, str] = {
}
