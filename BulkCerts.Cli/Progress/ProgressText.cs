using System.Globalization;

namespace BulkCerts.Cli.Progress;

/// <summary>Formats progress figures the same way for the live display and for plain log lines.</summary>
public static class ProgressText
{
    /// <summary>
    /// Returns, for example, "300 of 1,000 certificates, 98 certs/s, about 7 s left"; each figure
    /// that is unknown is left out once the task is complete.
    /// </summary>
    public static string Describe(TaskProgress progress, ProgressEstimator estimator)
    {
        var parts = new List<string>();
        if (progress.Issued is { } issued)
        {
            parts.Add(progress.Total is { } total
                ? $"{Number(issued)} of {Number(total)} certificates"
                : $"{Number(issued)} certificates");
        }

        if (estimator.CertificatesPerSecond is { } rate)
        {
            parts.Add($"{Number((long)Math.Round(rate, MidpointRounding.AwayFromZero))} certs/s");
        }
        else if (progress.Fraction < 1)
        {
            parts.Add("- certs/s");
        }

        if (progress.Fraction < 1)
        {
            parts.Add(estimator.Remaining is { } remaining ? $"about {Duration(remaining)} left" : "time left unknown");
        }

        return string.Join(", ", parts);
    }

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Returns a duration rounded to whole seconds: "7 s", "2 min 05 s", "1 h 03 min".</summary>
    public static string Duration(TimeSpan duration)
    {
        var seconds = (long)Math.Ceiling(Math.Max(0, duration.TotalSeconds));
        return seconds switch
        {
            < 60 => $"{seconds} s",
            < 3600 => $"{seconds / 60} min {seconds % 60:00} s",
            _ => $"{seconds / 3600} h {seconds % 3600 / 60:00} min",
        };
    }
}
