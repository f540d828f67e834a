namespace RnnPort.Bridge;

/// <summary>
/// The C# reader's verdicts on many model files in one bridge crossing, for the model-file fuzz
/// (<c>parity_tests/test_model_file_fuzz.py</c>): a refusal then costs a .NET exception, not a .NET
/// exception translated into a Python one.
/// </summary>
public static class ModelFileVerdicts
{
    /// <summary>
    /// <see cref="ModelFile.Load"/> on each path: <c>"accept"</c>, or <c>"refuse: "</c> and the
    /// <see cref="ModelFileException"/>'s message. Any other exception escapes, as it would from Load.
    /// </summary>
    /// <param name="paths">The files to read.</param>
    /// <returns>One verdict per path, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="paths"/> is null.</exception>
    public static string[] Load(string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var verdicts = new string[paths.Length];
        for (int i = 0; i < paths.Length; i++)
        {
            try
            {
                ModelFile.Load(paths[i]);
                verdicts[i] = "accept";
            }
            catch (ModelFileException error)
            {
                verdicts[i] = "refuse: " + error.Message;
            }
        }

        return verdicts;
    }
}
