using MathNet.Numerics;

namespace RnnPort;

/// <summary>
/// Pins MathNet.Numerics to its managed linear-algebra provider, whose matrix products sum every
/// element in index order from +0.0 (<c>sum += row[k] * col[k]</c>). The NumPy side's exact mode
/// reproduces that order bit for bit (docs/exact-mode.md); a native provider (MKL, OpenBLAS) would
/// sum in its own blocked order and break 0-ULP parity, so it must never be picked up by accident.
/// </summary>
public static class Numerics
{
    private static readonly Lock Gate = new();
    private static volatile bool _pinned;

    /// <summary>
    /// Calls <see cref="Control.UseManaged()"/> once per process. Every <see cref="RNN"/> constructor
    /// calls it; it is public so that a host can pin the provider before it builds anything else.
    /// Thread-safe: no call returns before the provider is pinned, so a model built on one thread
    /// while another thread's first model is being built never computes with MathNet's default choice.
    /// </summary>
    public static void UseManagedProvider()
    {
        if (_pinned)
        {
            return;
        }

        lock (Gate)
        {
            if (!_pinned)
            {
                Control.UseManaged();
                _pinned = true;
            }
        }
    }

    /// <summary>The name of MathNet's active linear-algebra provider, for reports.</summary>
    public static string ProviderName => MathNet.Numerics.Providers.LinearAlgebra.LinearAlgebraControl.Provider.ToString() ?? "unknown";
}
