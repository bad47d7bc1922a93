/**
 * Every page of the app and the address it lives at. Staff pages are loaded on first use, so
 * a student's exam page does not download the instructor's tools.
 */
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { RegisterPage, SignInPage } from './pages/sign-in';
import { CoursesPage } from './pages/courses';
import { CoursePage } from './pages/course';
import { PracticePage } from './pages/practice';
import { ExamOverviewPage } from './pages/exam-overview';
import { AttemptPage } from './pages/attempt';
import { Loading } from './components/ui';

export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface Route {
  path: string;
  page: FunctionComponent<PageProps>;
  public?: boolean;
}

/** lazy(load): a page whose module is fetched when it is first shown. */
function lazy(load: () => Promise<FunctionComponent<PageProps>>): FunctionComponent<PageProps> {
  let loaded: FunctionComponent<PageProps> | undefined;
  return function LazyPage(props: PageProps) {
    const [Page, setPage] = useState<FunctionComponent<PageProps> | undefined>(() => loaded);
    useEffect(() => {
      if (!Page) void load().then((p) => setPage(() => (loaded = p)));
    }, []);
    return Page ? <Page {...props} /> : <Loading />;
  };
}

const MembersPage = lazy(() => import('./pages/members').then((m) => m.MembersPage));
const CataloguePage = lazy(() => import('./pages/catalogue').then((m) => m.CataloguePage));
const PreviewPage = lazy(() => import('./pages/catalogue').then((m) => m.PreviewPage));
const ExamBuilderPage = lazy(() => import('./pages/exam-builder').then((m) => m.ExamBuilderPage));
const ExamManagePage = lazy(() => import('./pages/exam-manage').then((m) => m.ExamManagePage));
const AttemptReviewPage = lazy(() => import('./pages/attempt-review').then((m) => m.AttemptReviewPage));
const CourseTemplatesPage = lazy(() => import('./pages/authoring').then((m) => m.CourseTemplatesPage));
const NewTemplatePage = lazy(() => import('./pages/template-editor').then((m) => m.NewTemplatePage));
const TemplateEditorPage = lazy(() => import('./pages/template-editor').then((m) => m.TemplateEditorPage));
const ExamStatisticsPage = lazy(() => import('./pages/statistics').then((m) => m.ExamStatisticsPage));
const TemplateStatisticsPage = lazy(() => import('./pages/statistics').then((m) => m.TemplateStatisticsPage));
const WebhooksPage = lazy(() => import('./pages/webhooks').then((m) => m.WebhooksPage));
const ApiKeysPage = lazy(() => import('./pages/api-keys').then((m) => m.ApiKeysPage));
const GradebookPage = lazy(() => import('./pages/gradebook').then((m) => m.GradebookPage));
const TemplateHistoryPage = lazy(() => import('./pages/template-history').then((m) => m.TemplateHistoryPage));
const LtiSessionPage = lazy(() => import('./pages/lti-session').then((m) => m.LtiSessionPage));
const DeepLinkPage = lazy(() => import('./pages/lti-deep-link').then((m) => m.DeepLinkPage));
const LtiAdminPage = lazy(() => import('./pages/lti-admin').then((m) => m.LtiAdminPage));
export const routes: Route[] = [
  { path: '/lti/session', page: LtiSessionPage, public: true },
  { path: '/lti/deep-link/:deepLinkId', page: DeepLinkPage },
  { path: '/admin/lti', page: LtiAdminPage },
  { path: '/signin', page: SignInPage, public: true },
  { path: '/register', page: RegisterPage, public: true },
  { path: '/', page: CoursesPage },
  { path: '/courses/:courseId', page: CoursePage },
  { path: '/courses/:courseId/practice', page: PracticePage },
  { path: '/courses/:courseId/members', page: MembersPage },
  { path: '/courses/:courseId/catalogue', page: CataloguePage },
  { path: '/courses/:courseId/templates/:templateId', page: PreviewPage },
  { path: '/courses/:courseId/exams/new', page: ExamBuilderPage },
  { path: '/courses/:courseId/authoring', page: CourseTemplatesPage },
  { path: '/courses/:courseId/new-template', page: NewTemplatePage },
  { path: '/courses/:courseId/authoring/:slug', page: TemplateEditorPage },
  { path: '/courses/:courseId/authoring/:slug/history', page: TemplateHistoryPage },
  { path: '/exams/:examId', page: ExamOverviewPage },
  { path: '/exams/:examId/edit', page: ExamBuilderPage },
  { path: '/exams/:examId/manage', page: ExamManagePage },
  { path: '/exams/:examId/statistics', page: ExamStatisticsPage },
  { path: '/courses/:courseId/gradebook', page: GradebookPage },
  { path: '/courses/:courseId/webhooks', page: WebhooksPage },
  { path: '/courses/:courseId/api-keys', page: ApiKeysPage },
  { path: '/courses/:courseId/statistics/:templateId', page: TemplateStatisticsPage },
  { path: '/exams/:examId/attempts/:attemptId', page: AttemptReviewPage },
  { path: '/attempts/:attemptId', page: AttemptPage },
];
