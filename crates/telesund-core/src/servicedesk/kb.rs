//! The knowledge base: guides and reply templates.
