using RnnPort.Cli;

namespace RnnPort.Tests;

/// <summary>
/// The training progress line never glues onto other output: on a terminal, stdout and stderr land on one screen,
/// so both writers here write into one buffer, and the screen is rebuilt as a terminal shows it.
/// </summary>
public sealed class ProgressLineTests
{
    private static readonly string Corpus = string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 30));

    [Fact]
    public void ReportLinesStartOnTheirOwnLines()
    {
        var screen = new StringWriter();
        var settings = new TrainingSettings { Steps = 40, HiddenSize = 4, SeqLength = 8, SampleEvery = 10, SampleLength = 15 };
        using (var bar = new ProgressLine(screen, settings.Steps))
        {
            CharTrainer.Train(Corpus, settings, line => bar.WriteLine(screen, line), bar.Update);
        }

        string[] lines = Shown(screen.ToString());
        Assert.Equal(4, lines.Count(line => line.StartsWith("step ", StringComparison.Ordinal)));  // each at column 0
        Assert.DoesNotContain(lines, line => line.Contains("steps/s", StringComparison.Ordinal));  // cleared at the end
        Assert.Contains("steps/s", screen.ToString(), StringComparison.Ordinal);  // but it was drawn
    }

    [Fact]
    public void NegativeControlWritingPastTheBarGlues()
    {
        var screen = new StringWriter();
        var bar = new ProgressLine(screen, 10);
        bar.Update(1, 2.5);
        screen.WriteLine("step 1, smooth loss 2.5000");  // what printing without WriteLine does

        Assert.DoesNotContain(Shown(screen.ToString()), line => line.StartsWith("step ", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutATerminalNothingIsDrawn()
    {
        var output = new StringWriter();
        var bar = new ProgressLine(null, 10);
        bar.Update(10, 1.0);
        bar.WriteLine(output, "x");
        bar.Dispose();

        Assert.Equal("x" + Environment.NewLine, output.ToString());
    }

    /// <summary>The lines a terminal shows: '\r' returns to column 0, ESC[K erases to the end of the line.</summary>
    private static string[] Shown(string written) => written.Split('\n').Select(raw =>
    {
        var line = new System.Text.StringBuilder();
        int column = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\r')
            {
                column = 0;
            }
            else if (raw[i] == '\u001b' && raw.AsSpan(i).StartsWith("\u001b[K"))
            {
                line.Length = column;
                i += 2;
            }
            else
            {
                if (column < line.Length)
                {
                    line[column] = raw[i];
                }
                else
                {
                    line.Append(raw[i]);
                }

                column++;
            }
        }

        return line.ToString();
    }).ToArray();
}
