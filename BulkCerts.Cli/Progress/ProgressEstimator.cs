namespace BulkCerts.Cli.Progress;

/// <summary>
/// Estimates the issue rate and the time left from the progress seen since the first sample. An
/// average over the whole wait is steadier than a short window, because chunks complete in steps.
/// </summary>
public sealed class ProgressEstimator
{
    private (TimeSpan At, TaskProgress Progress)? _first;
    private (TimeSpan At, TaskProgress Progress)? _last;

    public void Add(TimeSpan at, TaskProgress progress)
    {
        _first ??= (at, progress);
        _last = (at, progress);
    }

    /// <summary>Certificates issued per second, or null before any were issued or when counts are unknown.</summary>
    public double? CertificatesPerSecond
    {
        get
        {
            if (_first is not { } first || _last is not { } last
                || first.Progress.Issued is not { } start || last.Progress.Issued is not { } end)
            {
                return null;
            }

            var seconds = (last.At - first.At).TotalSeconds;
            return seconds > 0 && end > start ? (end - start) / seconds : null;
        }
    }

    /// <summary>Time left at the average rate so far, or null before the task has moved.</summary>
    public TimeSpan? Remaining
    {
        get
        {
            if (_first is not { } first || _last is not { } last)
            {
                return null;
            }

            var done = last.Progress.Fraction - first.Progress.Fraction;
            if (last.Progress.Fraction >= 1)
            {
                return TimeSpan.Zero;
            }

            return done > 0 ? (last.At - first.At) * ((1 - last.Progress.Fraction) / done) : null;
        }
    }
}
