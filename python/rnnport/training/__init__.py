"""Training a cell: loss, gradient clipping, optimisers, finite-difference gradient checks, sampling,
and the character-model demo (vocabulary, generated corpus, training loop). C# twin: ``RnnPort/Training/``."""
