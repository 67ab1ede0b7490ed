// Package summary computes the per-label statistics table JMeter users
// know from the Aggregate Report and the dashboard's Statistics table:
// samples, errors, error %, mean, min, max, percentiles, throughput and
// KB/s, plus the response codes behind the errors.
//
// It follows JMeter where JMeter is right and says so where it differs:
//   - Transaction Controller rows get their own label rows but are kept out
//     of the total, as in JMeter's dashboard; the samplers inside them
//     count in the total whether the file nests them (XML) or not (CSV).
//   - A parent with sub-results (redirect hops, embedded resources, 5.x
//     "label-0" rows) counts once (samples.Sample.Requests);
//     analyze.WithSubResults adds the children as their own rows. JMeter
//     5.x counts both, which users report as a bug.
//   - Percentiles use JMeter's estimator (Commons Math "LEGACY"), over every
//     sample rather than the dashboard's last 20,000.
//   - Throughput is samples / (last end - first start), JMeter's
//     definition, per label and for the total.
package summary
