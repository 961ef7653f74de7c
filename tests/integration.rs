//! Integration tests, in one binary so the 85 MB dictionary is linked once.

mod it;
