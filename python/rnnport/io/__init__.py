"""Files: the model file both languages read and write (``model_file`` on ``npz_archive`` and
``model_metadata``), atomic replacement (``atomic``) and plots (``plot_file``). C# twin: ``RnnPort/IO/``."""
