import { BarElement, CategoryScale, Chart as ChartJS, Legend, LinearScale, Tooltip, type ChartOptions } from 'chart.js';
import { Bar } from 'react-chartjs-2';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../hooks.ts';
import { useLabels } from '../labels.ts';

ChartJS.register(CategoryScale, LinearScale, BarElement, Tooltip, Legend);
ChartJS.defaults.font.family = getComputedStyle(document.documentElement).getPropertyValue('--font-sans').trim() || 'system-ui, sans-serif';
ChartJS.defaults.font.size = 12;
ChartJS.defaults.color = '#5b6473';

export interface BucketPoint {
  bucket: string;
  accounts: number;
  balanceMinor: number;
}

const reducedMotion = () => typeof window !== 'undefined' && window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

/**
 * Accounts (left axis) and balance (right axis) per delinquency bucket for one currency. The
 * bucket table under it carries the same numbers for screen readers and copying.
 */
export const BucketChart = ({ points, currency }: { points: readonly BucketPoint[]; currency: string }) => {
  const { t } = useTranslation();
  const f = useFormat();
  const labels = useLabels();

  const data = {
    labels: points.map((p) => labels.bucket(p.bucket)),
    datasets: [
      {
        label: t('overview.chartAccounts'),
        data: points.map((p) => p.accounts),
        backgroundColor: '#a5b4fc',
        hoverBackgroundColor: '#818cf8',
        borderRadius: 4,
        yAxisID: 'y',
        maxBarThickness: 38,
      },
      {
        label: t('overview.chartBalance', { currency }),
        data: points.map((p) => p.balanceMinor),
        backgroundColor: '#4338ca',
        hoverBackgroundColor: '#3730a3',
        borderRadius: 4,
        yAxisID: 'y1',
        maxBarThickness: 38,
      },
    ],
  };

  const options: ChartOptions<'bar'> = {
    responsive: true,
    maintainAspectRatio: false,
    animation: reducedMotion() ? false : { duration: 350 },
    interaction: { mode: 'index', intersect: false },
    plugins: {
      legend: { position: 'top', align: 'end', labels: { boxWidth: 10, boxHeight: 10, useBorderRadius: true, borderRadius: 2 } },
      tooltip: {
        callbacks: {
          label: (ctx) => (ctx.datasetIndex === 0 ? `${ctx.dataset.label}: ${f.number(Number(ctx.raw))}` : `${t('overview.balance')}: ${f.money(Number(ctx.raw), currency)}`),
        },
      },
    },
    scales: {
      x: { grid: { display: false }, border: { color: '#e4e7ec' } },
      y: {
        position: 'left',
        beginAtZero: true,
        title: { display: true, text: t('overview.axisAccounts') },
        ticks: { precision: 0, callback: (v) => f.number(Number(v)) },
        grid: { color: '#eef0f3' },
        border: { display: false },
      },
      y1: {
        position: 'right',
        beginAtZero: true,
        title: { display: true, text: t('overview.axisBalance', { currency }) },
        ticks: { callback: (v) => f.moneyCompact(Number(v), currency) },
        grid: { display: false },
        border: { display: false },
      },
    },
  };

  const summary = points.map((p) => `${labels.bucket(p.bucket)}: ${f.number(p.accounts)}, ${f.money(p.balanceMinor, currency)}`).join('; ');
  return (
    <div className="chart-box">
      <Bar data={data} options={options} role="img" aria-label={`${t('overview.chartTitle')} (${currency}). ${summary}`} />
    </div>
  );
};
