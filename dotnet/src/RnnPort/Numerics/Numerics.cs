using MathNet.Numerics;
using MathNet.Numerics.Providers.LinearAlgebra;

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
    private static volatile bool _pinnedOnce;

    /// <summary>
    /// Makes MathNet's managed provider the active one (<see cref="Control.UseManaged()"/>) unless it
    /// already is. Every <see cref="RNN"/> constructor calls it, so a provider switched after an earlier
    /// model (by a host, or a library calling <c>Control.UseNativeMKL()</c>) is switched back for the next;
    /// it is public so that a host can pin the provider before it builds anything else. Thread-safe: no
    /// call returns before the provider is pinned, so a model built on one thread while another thread's
    /// first model is being built never computes with MathNet's default choice.
    /// </summary>
    public static void UseManagedProvider()
    {
        if (IsPinned())
        {
            return;
        }

        lock (Gate)
        {
            if (!IsPinned())
            {
                Control.UseManaged();
                _pinnedOnce = true;
            }
        }
    }

    /// <summary>The name of MathNet's active linear-algebra provider, for reports.</summary>
    public static string ProviderName => LinearAlgebraControl.Provider.ToString() ?? "unknown";

    // Before the first pin the provider is not read at all: MathNet's getter would first probe for a
    // native provider (its default choice), which is what pinning avoids.
    private static bool IsPinned() => _pinnedOnce && LinearAlgebraControl.Provider is ManagedLinearAlgebraProvider;
}
