"""What every concern computes and checks with: argument checks (``checks``), the non-finite-result
rule (``finite_results``) and the fast and exact kernels (``kernels``). C# twin: ``RnnPort/Numerics/``."""
