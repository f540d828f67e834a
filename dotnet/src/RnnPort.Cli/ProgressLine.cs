using System.Diagnostics;
using System.Globalization;

namespace RnnPort.Cli;

/// <summary>
/// The training progress of <c>rnnport-cli train</c> on a terminal: one line on stderr, redrawn in place at most
/// ten times a second (NumPy twin: the tqdm bar of <c>rnnport.training.char_model.train</c>). Every other line
/// goes through <see cref="WriteLine"/>, which clears the progress line first and redraws it after, so output is
/// never glued onto it. With no terminal (<c>null</c> writer) it draws nothing.
/// </summary>
internal sealed class ProgressLine(TextWriter? terminal, int total) : IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _drawnAt = -1_000;  // the first update draws
    private string _line = "";

    /// <summary>After step <paramref name="done"/>, with the smoothed loss.</summary>
    internal void Update(int done, double smoothLoss)
    {
        if (terminal is null || (done < total && _clock.ElapsedMilliseconds - _drawnAt < 100))
        {
            return;
        }

        _drawnAt = _clock.ElapsedMilliseconds;
        double seconds = _clock.Elapsed.TotalSeconds;
        _line = string.Create(CultureInfo.InvariantCulture,
            $"{100.0 * done / total,3:F0}% {done}/{total} steps, {done / Math.Max(seconds, 1e-9):F0} steps/s, smooth loss {smoothLoss:F3}");
        Draw();
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="output"/> on lines of its own.</summary>
    internal void WriteLine(TextWriter output, string text)
    {
        Clear();
        output.WriteLine(text);
        output.Flush();
        Draw();
    }

    /// <summary>Removes the progress line for good.</summary>
    public void Dispose()
    {
        Clear();
        _line = "";
    }

    private void Draw()
    {
        if (terminal is not null && _line.Length > 0)
        {
            terminal.Write("\r" + _line + "\u001b[K");
            terminal.Flush();
        }
    }

    private void Clear()
    {
        if (terminal is not null && _line.Length > 0)
        {
            terminal.Write("\r\u001b[K");  // back to column 0 and erase: the next text starts on a clean line
            terminal.Flush();
        }
    }
}
