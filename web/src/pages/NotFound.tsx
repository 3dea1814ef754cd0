import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useTitle } from '../hooks.ts';
import { Card, Empty, PageHeader } from '../components/Ui.tsx';

export const NotFoundPage = () => {
  const { t } = useTranslation();
  useTitle(t('notFound.title'));
  return (
    <>
      <PageHeader title={t('notFound.title')} />
      <Card>
        <Empty icon="search" title={t('notFound.text')}>
          <Link className="btn btn-secondary btn-sm" to="/app/overview">{t('notFound.home')}</Link>
        </Empty>
      </Card>
    </>
  );
};
