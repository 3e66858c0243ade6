"""Cross-cutting helpers shared by the knowledge base, the notices and the forum."""
